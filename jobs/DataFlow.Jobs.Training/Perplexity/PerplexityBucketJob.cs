using System.Globalization;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// The second engine stage of a bucketing <c>perplexity</c> stage: reads the scores every scoring task wrote (the whole
/// corpus, exact), takes the head and tail percentiles (numpy's linear definition, <see cref="LinearPercentile"/>; per
/// group with group_by), and writes each document's bucket; documents of buckets not kept are dropped as
/// <c>perplexity.bucket_NAME</c>. Counters <c>bucket.NAME</c>; values (recorded by task 0, so the merged stats hold them
/// once): the cut points and the 10 / 50 / 90th percentiles of the corpus (with group_by: the number of groups instead of
/// the cut points). Memory: 16 bytes per scored document of the corpus.
/// </summary>
public sealed class PerplexityBucketJob(PerplexityOptions options, PerplexityBuckets buckets, string scoreStage) : DocumentStageJob(options.Documents with { Input = null })
{
    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } = [ExtraColumn.String(buckets.Column)];

    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        var manifest = StageManifest.Load(context.Run.ManifestFile(scoreStage));
        var groups = ReadScores(manifest.Tasks.Select(t => t.Outputs[^1]).ToList());
        var cuts = groups.ToDictionary(g => g.Key, g => (Head: LinearPercentile.Of(g.Value, buckets.HeadPercentile), Tail: LinearPercentile.Of(g.Value, buckets.TailPercentile)));
        if (context.Index == 0 && groups.Count > 0)
        {
            var name = options.ScoreColumn;
            var all = groups.Values.SelectMany(v => v).Order().ToArray();
            if (buckets.GroupBy is null)
            {
                context.Stats.SetValue($"{name}.cut_head_p{Label(buckets.HeadPercentile)}", cuts[0].Head);
                context.Stats.SetValue($"{name}.cut_tail_p{Label(buckets.TailPercentile)}", cuts[0].Tail);
            }
            else context.Stats.SetValue($"{name}.groups", groups.Count);
            foreach (var q in new[] { 10.0, 50, 90 }) context.Stats.SetValue($"{name}.p{Label(q)}", LinearPercentile.Of(all, q));
            context.Stats.SetValue($"{name}.documents_scored", all.Length);
        }
        return new Processor(options, buckets, cuts);
    }

    private static string Label(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Every score of the corpus by group, each list sorted; each file's checksums are verified as it is read.</summary>
    public static Dictionary<ulong, double[]> ReadScores(IReadOnlyList<string> files)
    {
        var groups = new Dictionary<ulong, List<double>>();
        foreach (var file in files)
        {
            var info = RecordFileFormat.ReadInfo(file, RecordFileWriter<PerplexityScoreRecord>.RecordSize, PerplexityScoreRecord.Kind);
            for (var run = 0; run < info.Runs.Count; run++)
            {
                using var reader = new RecordRunReader<PerplexityScoreRecord>(info, run);
                while (reader.MoveNext())
                {
                    if (!groups.TryGetValue(reader.Current.Group, out var list)) groups[reader.Current.Group] = list = [];
                    list.Add(reader.Current.Score);
                }
            }
        }
        return groups.ToDictionary(g => g.Key, g =>
        {
            var sorted = g.Value.ToArray();
            Array.Sort(sorted);
            return sorted;
        });
    }

    private sealed class Processor(PerplexityOptions options, PerplexityBuckets buckets, Dictionary<ulong, (double Head, double Tail)> cuts) : IDocumentProcessor
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public DocumentVerdict Process(Document document)
        {
            if (document[options.ScoreColumn] is not double score)
                throw new InvalidDataException($"{document.Origin}: document '{document.Id}' has no '{options.ScoreColumn}' column (the scoring stage writes it)");
            var group = buckets.GroupOf(document);
            if (!cuts.TryGetValue(PerplexityScoreRecord.GroupOf(group), out var cut))
                throw new InvalidDataException($"{document.Origin}: document '{document.Id}': no score of its group '{group}' was recorded by the scoring stage");
            var bucket = PerplexityBuckets.Of(score, cut.Head, cut.Tail);
            document[buckets.Column] = bucket;
            _counts[bucket] = _counts.GetValueOrDefault(bucket) + 1;
            return buckets.Keep.Contains(bucket) ? DocumentVerdict.Keep : DocumentVerdict.Drop("perplexity.bucket_" + bucket);
        }

        public void Complete(TaskStats stats)
        {
            foreach (var (bucket, count) in _counts) stats.Add($"bucket.{bucket}", count);
        }
    }
}
