using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Substring dedup stage 1. Task i (one part) concatenates its documents' UTF-8 bytes, each followed by the separator
/// 0xFF, and sorts the suffixes of that text whose first MinTokens bytes hold
/// no separator (the windows a repeated span may start with), in window order (<see cref="WindowSuffixArray"/>:
/// equal windows adjacent, as in the full suffix array). Writes the text, those suffixes as 8-byte records (32 bits of
/// the order key and the start; <see cref="SuffixRecord"/>), their counts per two-byte prefix (so the match stage can
/// split the merge and rebuild each key) and one record per document.
/// Memory: the text (n bytes), one bit per byte, and one bucket of at most n/32 windows of 12 bytes with its scratch.
/// </summary>
public sealed class SuffixArrayJob(SubstringDedupOptions options) : IStageJob
{
    /// <summary>Largest part text one suffix array holds (.NET array bound); more means more tasks.</summary>
    public const long MaxPartBytes = 0x7FFF_FFC7;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var docs = options.Documents;
        IReadOnlyList<IReadOnlyList<string>> inputs = docs.Input is { } patterns
            ? DocumentStageJob.BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), docs.Tasks)
            : context.PreviousManifest().Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        var dir = context.OutputDir;
        return inputs.Select((files, i) => new TaskPlan(i, files,
        [
            SubstringLayout.TextFile(dir, i), SubstringLayout.SuffixFile(dir, i), SubstringLayout.KeyCountFile(dir, i), SubstringLayout.DocFile(dir, i),
        ])).ToList();
    }

    public void Run(TaskContext context)
    {
        var outputs = context.Plan.Outputs;
        var textPath = context.CreateOutput(outputs[0]);
        var stats = context.Stats;
        long length = 0;
        using (var text = new RecordFileWriter<byte>(textPath, SubstringLayout.TextKind))
        using (var docs = new RecordFileWriter<SubstringDocRecord>(context.CreateOutput(outputs[3]), SubstringLayout.DocKind))
        {
            byte[] separator = [SubstringLayout.Separator];
            var read = options.Documents.Read with { KeepMetadata = false };
            for (var f = 0; f < context.Inputs.Count; f++)
            {
                var fileIndex = f;
                void OnFraction(double x) => context.Progress.SetFraction(0.3 * (fileIndex + x) / context.Inputs.Count);
                foreach (var doc in DocumentSources.Read(context.Inputs[f], read, options.Documents.MaskRejects(context.Rejects), OnFraction))
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    var bytes = Utf8Of(doc);
                    if (bytes.Contains(SubstringLayout.Separator))
                        throw new InvalidDataException($"{context.Inputs[f]}: document '{doc.Id}' holds byte 0xFF, which is not UTF-8");
                    length += bytes.Length + 1;
                    if (length > MaxPartBytes)
                        throw new InvalidDataException($"{context.Inputs[f]}: part {context.Index} of stage {context.Stage.Name} passes {MaxPartBytes} bytes of text, more than one suffix array holds; raise 'tasks' so each part is smaller");
                    text.Append(bytes);
                    text.Append(separator);
                    docs.Append(new SubstringDocRecord(bytes.Length, MinHashSignatureJob.IdHash(doc.Id)));
                    stats.Add("docs_in");
                    stats.Add("bytes_in", bytes.Length);
                    context.Progress.Advance(1, bytes.Length);
                }
            }
            text.Complete();
            docs.Complete();
        }

        var all = new byte[length];
        using (var stream = new FileStream(textPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            stream.Position = RecordFileFormat.HeaderSize;
            stream.ReadExactly(all);
        }
        // Sort the windows (suffixes whose first MinTokens bytes hold no separator) in window order, bucket by bucket,
        // streaming each bucket to the suffix file; the key counts per two-byte prefix come from the same pass.
        var clock = Stopwatch.StartNew();
        var keys = new long[SubstringLayout.Keys];
        long windows;
        int buckets;
        // 8 bytes a window on disk (the prefix is implied by the key counts), converted in blocks.
        var records = new SuffixRecord[1 << 16];
        using (var suffixes = new RecordFileWriter<SuffixRecord>(context.CreateOutput(outputs[1]), SubstringLayout.SuffixKind))
        {
            (windows, buckets) = WindowSuffixArray.Build(all, options.MinTokens, SubstringLayout.Separator, BucketEntries(length), bucket =>
            {
                for (var from = 0; from < bucket.Length; from += records.Length)
                {
                    var block = bucket.Slice(from, Math.Min(records.Length, bucket.Length - from));
                    for (var i = 0; i < block.Length; i++)
                    {
                        keys[SubstringLayout.KeyOf(block[i].Key)]++;
                        records[i] = SuffixRecord.Of(block[i]);
                    }
                    suffixes.Append(records.AsSpan(0, block.Length));
                }
            });
            suffixes.Complete();
        }
        stats.AddValue("seconds_suffix_array", clock.Elapsed.TotalSeconds);
        context.Progress.SetFraction(0.95);
        using (var keyCounts = new RecordFileWriter<long>(context.CreateOutput(outputs[2]), SubstringLayout.KeyCountKind))
        {
            keyCounts.Append(keys);
            keyCounts.Complete();
        }
        stats.Add("windows", windows);
        stats.Add("suffix_buckets", buckets);
        stats.AddValue("seconds_suffix_task", clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Windows sorted at once: a thirty-second of the part (12 bytes each, plus as much radix scratch: 0.75 bytes per
    /// text byte in all), which with the text and one bit per byte keeps a suffix task near twice its part.
    /// </summary>
    public static int BucketEntries(long partBytes) => (int)Math.Max(1 << 16, partBytes / 32);

    /// <summary>The text's UTF-8 bytes (as read when the reader kept them). Valid UTF-8 never holds 0xFF, the separator.</summary>
    internal static ReadOnlySpan<byte> Utf8Of(Document doc) =>
        doc.TryGetUtf8Text(out var bytes) ? bytes : Encoding.UTF8.GetBytes(doc.Text);
}
