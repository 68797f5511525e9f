using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Substring dedup stage 1. Task i (one part) concatenates its documents' UTF-8 bytes, each followed by the separator
/// 0xFF, builds the suffix array of that text with SA-IS, and keeps only the suffixes whose first MinTokens bytes hold
/// no separator (the windows a repeated span may start with). Writes the text, those suffixes in sorted order, their
/// counts per 12-bit key (so the match stage can split the merge) and one record per document.
/// Memory: the text (n bytes) + the suffix array (4n) + SA-IS's S/L types (one bit per byte) and, in its recursion, the
/// count and bucket arrays of the reduced problem (4 bytes each per distinct name, at most n/2 names).
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
        var clock = Stopwatch.StartNew();
        var sa = new int[length];
        SuffixArray.Build(all, sa);
        stats.AddValue("seconds_suffix_array", clock.Elapsed.TotalSeconds);
        context.Progress.SetFraction(0.9);

        // Keep the suffixes that start a window (MinTokens bytes without a separator); they stay in sorted order. Which
        // positions start one is a bit per byte from one backward pass, and the key (first 12 bits) only grows along the
        // suffix array, so its bucket boundaries come from binary searches: the loop reads no text at random.
        var k = options.MinTokens;
        var starts = new ulong[(length + 63) / 64];
        for (long p = length - 1, run = 0; p >= 0; p--)
        {
            run = all[p] == SubstringLayout.Separator ? 0 : run + 1;
            if (run >= k) starts[p >> 6] |= 1UL << (int)(p & 63);
        }
        var keyStarts = new int[SubstringLayout.Keys + 1];
        for (var key = 0; key <= SubstringLayout.Keys; key++) keyStarts[key] = FirstRankWithKey(all, sa, key);
        var keys = new long[SubstringLayout.Keys];
        long windows = 0;
        using (var suffixes = new RecordFileWriter<int>(context.CreateOutput(outputs[1]), SubstringLayout.SuffixKind))
        {
            var buffer = new int[1 << 16];
            var filled = 0;
            var currentKey = 0;
            for (var r = 0; r < sa.Length; r++)
            {
                var p = sa[r];
                if ((starts[p >> 6] & (1UL << (p & 63))) == 0) continue;
                while (r >= keyStarts[currentKey + 1]) currentKey++;
                keys[currentKey]++;
                buffer[filled++] = p;
                if (filled == buffer.Length)
                {
                    suffixes.Append(buffer);
                    filled = 0;
                }
            }
            suffixes.Append(buffer.AsSpan(0, filled));
            windows = suffixes.Count;
            suffixes.Complete();
        }
        using (var keyCounts = new RecordFileWriter<long>(context.CreateOutput(outputs[2]), SubstringLayout.KeyCountKind))
        {
            keyCounts.Append(keys);
            keyCounts.Complete();
        }
        stats.Add("windows", windows);
        stats.AddValue("seconds_suffix_task", clock.Elapsed.TotalSeconds);
    }

    /// <summary>The first rank whose suffix's 12-bit key is at least <paramref name="key"/> (the last suffix, one byte, counts as followed by 0).</summary>
    private static int FirstRankWithKey(byte[] text, int[] sa, int key)
    {
        int low = 0, high = sa.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            var p = sa[middle];
            var at = p + 1 < text.Length ? SubstringLayout.KeyOf(text, p) : text[p] << 4;
            if (at < key) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    /// <summary>The text's UTF-8 bytes (as read when the reader kept them). Valid UTF-8 never holds 0xFF, the separator.</summary>
    internal static ReadOnlySpan<byte> Utf8Of(Document doc) =>
        doc.TryGetUtf8Text(out var bytes) ? bytes : Encoding.UTF8.GetBytes(doc.Text);
}
