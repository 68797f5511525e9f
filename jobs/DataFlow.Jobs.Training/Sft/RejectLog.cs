using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// Bad training records: under skip, appended to a rejects JSONL (file, line, reason) and counted; under fail, thrown.
/// A null path counts without writing (MPI ranks other than 0, which read the same records).
/// </summary>
public sealed class RejectLog(string? path, OnError policy) : IRejectSink, IDisposable
{
    private StreamWriter? _writer;

    public int Count { get; private set; }

    public void Reject(Reject reject)
    {
        if (policy == OnError.Fail) throw new BadInputException(reject);
        Count++;
        if (path is null) return;
        if (_writer is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            _writer = new StreamWriter(path);
        }
        var excerpt = reject.Excerpt is { Length: > 200 } e ? e[..200] : reject.Excerpt;
        _writer.WriteLine(JsonSerializer.Serialize(new { file = reject.File, line = reject.Line, reason = reject.Reason, excerpt }));
    }

    public void Dispose() => _writer?.Dispose();
}
