using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Writes rejects as JSONL (file, line, reason, excerpt) under skip, or throws under fail.</summary>
internal sealed class RejectFileSink(string finalPath, OnError policy, TaskStats stats) : IRejectSink, IDisposable
{
    private const int MaxExcerpt = 200;
    private StreamWriter? _writer;

    public string FinalPath { get; } = finalPath;
    public string TempPath { get; } = AtomicFile.TempPathFor(finalPath);
    public bool HasRejects => _writer is not null;

    public void Reject(Reject reject)
    {
        if (policy == OnError.Fail) throw new BadInputException(reject);
        stats.Add("docs_rejected", reject.Records);
        stats.AddExample("rejected", reject.ToString());
        if (_writer is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FinalPath)!);
            _writer = new StreamWriter(TempPath);
        }
        var excerpt = reject.Excerpt is { Length: > MaxExcerpt } e ? e[..MaxExcerpt] : reject.Excerpt;
        _writer.WriteLine(JsonSerializer.Serialize(new { file = reject.File, line = reject.Line, records = reject.Records, reason = reject.Reason, excerpt }, RelaxedJson.Options));
    }

    public void Dispose() => _writer?.Dispose();
}
