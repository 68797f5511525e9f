using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Substring dedup stage 3: task i re-reads exactly the documents part i read, in the same order (checked against the
/// recorded lengths and id hashes), sets a bit per marked window start from every match task's file for part i, and
/// removes from each document the union of its marked windows (whole characters only). A document left with fewer
/// than min_doc_tokens bytes (or none) is dropped with reason substring_too_short. Memory: one bit per text byte.
/// </summary>
public sealed class SubstringFilterJob(SubstringDedupOptions options, SubstringLayout layout) : IStageJob
{
    public const string TooShortReason = "substring_too_short";

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var parts = context.ManifestOf(layout.Suffixes).Tasks;
        var matches = context.ManifestOf(layout.Matches).Tasks;
        return parts.Select(p =>
        {
            var outputs = new List<string> { DocumentStageJob.MainShard(context.OutputDir, p.Index) };
            if (options.Documents.KeepRemoved) outputs.Add(Path.Combine(context.OutputDir, "removed", $"part-{p.Index:D5}.parquet"));
            // Text, document records, the documents, then every match task's starts (the only inputs in the match stage's folder).
            List<string> inputs = [p.Outputs[0], p.Outputs[3], .. p.Inputs, .. matches.Select(m => m.Outputs[p.Index])];
            return new TaskPlan(p.Index, inputs, outputs);
        }).ToList();
    }

    public void Run(TaskContext context)
    {
        var matchDir = Path.GetDirectoryName(context.Inputs[^1]);
        var starts = context.Inputs.Skip(2).Where(i => Path.GetDirectoryName(i) == matchDir).ToList();
        var documents = context.Inputs.Skip(2).Where(i => Path.GetDirectoryName(i) != matchDir).ToList();
        var textInfo = RecordFileFormat.ReadInfo(context.Inputs[0], 1, SubstringLayout.TextKind);
        var docInfo = RecordFileFormat.ReadInfo(context.Inputs[1], RecordFileWriter<SubstringDocRecord>.RecordSize, SubstringLayout.DocKind);
        var marks = new ulong[(textInfo.RecordCount + 63) / 64];
        foreach (var file in starts)
        {
            var info = RecordFileFormat.ReadInfo(file, sizeof(uint), SubstringLayout.StartsKind);
            for (var r = 0; r < info.Runs.Count; r++)
            {
                using var reader = new RecordRunReader<uint>(info, r, 1 << 14);
                while (reader.MoveNext())
                {
                    var p = reader.Current;
                    if (p >= textInfo.RecordCount) throw new InvalidDataException($"{file}: window start {p} is past part {context.Index}'s text of {textInfo.RecordCount} bytes");
                    marks[p >> 6] |= 1UL << (int)(p & 63);
                }
            }
        }

        using var records = docInfo.Runs.Count == 1 ? new RecordRunReader<SubstringDocRecord>(docInfo, 0) : null;
        var extras = documents.SelectMany(i => DocumentSources.ExtraColumnsOf(i)).Where(c => c.Name != "reason").DistinctBy(c => c.Name).ToList();
        using var kept = new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[0]), extras, options.Documents.Write);
        using var removed = options.Documents.KeepRemoved
            ? new DocumentShardWriter(context.CreateOutput(context.Plan.Outputs[1]), [.. extras, ExtraColumn.String("reason")], options.Documents.Write)
            : null;
        var stats = context.Stats;
        var rejects = options.Documents.MaskRejects(context.Rejects);
        var k = options.MinTokens;
        var windowStarts = new List<int>();
        var ranges = new List<(int Start, int End)>();
        long position = 0, ordinal = 0;
        for (var f = 0; f < documents.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / documents.Count);
            foreach (var doc in DocumentSources.Read(documents[f], options.Documents.Read, rejects, OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var utf8 = SuffixArrayJob.Utf8Of(doc);
                if (records is null || !records.MoveNext() || records.Current.Bytes != utf8.Length || records.Current.IdHash != MinHashSignatureJob.IdHash(doc.Id))
                    throw new InvalidDataException(
                        $"{documents[f]}: document {ordinal} of part {context.Index} ('{doc.Id}') is not the document the suffix stage read; the input changed since, rerun substring dedup from scratch");
                ordinal++;
                stats.Add("docs_in");
                stats.Add("bytes_in", utf8.Length);
                context.Progress.Advance(1, utf8.Length);

                windowStarts.Clear();
                ranges.Clear();
                for (var p = 0; p + k <= utf8.Length; p++)
                {
                    var at = position + p;
                    var word = marks[at >> 6] >> (int)(at & 63);
                    if (word == 0)
                    {
                        p += 63 - (int)(at & 63); // the rest of this 64-bit word is clear
                        continue;
                    }
                    if ((word & 1) != 0) windowStarts.Add(p);
                }
                position += utf8.Length + 1;
                var removedBytes = windowStarts.Count > 0 ? RepeatedSpanCover.Ranges(utf8, [.. windowStarts], k, ranges) : 0;
                if (ranges.Count == 0)
                {
                    kept.Write(doc);
                    stats.Add("docs_out");
                    stats.Add("bytes_out", utf8.Length);
                    continue;
                }
                stats.Add("substring.docs_touched");
                stats.Add("substring.spans", ranges.Count);
                stats.Add("substring.bytes_removed", removedBytes);
                stats.AddExample("removed_span", Preview(utf8, ranges[0]));
                var left = utf8.Length - (int)removedBytes;
                if (left < Math.Max(1, options.MinDocTokens))
                {
                    stats.Add("dropped." + TooShortReason);
                    stats.Add("dropped_bytes." + TooShortReason, utf8.Length);
                    if (removed is not null)
                    {
                        options.Documents.MaskForRemoved(doc);
                        doc["reason"] = TooShortReason;
                        removed.Write(doc);
                    }
                    continue;
                }
                doc.Text = Encoding.UTF8.GetString(Remove(utf8, ranges, left));
                kept.Write(doc);
                stats.Add("docs_out");
                stats.Add("bytes_out", left);
            }
        }
        if (records is not null && records.MoveNext())
            throw new InvalidDataException($"{context.Inputs[1]}: lists more documents than part {context.Index} read now ({ordinal}); the input changed since the suffix stage");
    }

    private static byte[] Remove(ReadOnlySpan<byte> utf8, List<(int Start, int End)> ranges, int left)
    {
        var result = new byte[left];
        int from = 0, to = 0;
        foreach (var (start, end) in ranges)
        {
            utf8[from..start].CopyTo(result.AsSpan(to));
            to += start - from;
            from = end;
        }
        utf8[from..].CopyTo(result.AsSpan(to));
        return result;
    }

    private string Preview(ReadOnlySpan<byte> utf8, (int Start, int End) range)
    {
        var text = Encoding.UTF8.GetString(utf8[range.Start..Math.Min(range.End, range.Start + 160)]);
        return options.Documents.Mask is { } mask ? mask(text) : text;
    }
}
