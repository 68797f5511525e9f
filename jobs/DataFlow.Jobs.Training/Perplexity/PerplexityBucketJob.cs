using System.Globalization;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// The second engine stage of a bucketing <c>perplexity</c> stage: reads the scores every scoring task wrote (the whole
/// corpus, exact), takes the head and tail percentiles (numpy's linear definition, <see cref="LinearPercentile"/>), and
/// writes each document's bucket; documents of buckets not kept are dropped as <c>perplexity.bucket_NAME</c>. Counters
/// <c>bucket.NAME</c>; values (recorded by task 0, so the merged stats hold them once): the cut points and the
/// 10 / 50 / 90th percentiles. Memory: 8 bytes per scored document of the corpus.
/// </summary>
public sealed class PerplexityBucketJob(PerplexityOptions options, PerplexityBuckets buckets, string scoreStage) : DocumentStageJob(options.Documents with { Input = null })
{
    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } = [ExtraColumn.String(buckets.Column)];

    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        var manifest = StageManifest.Load(context.Run.ManifestFile(scoreStage));
        var sorted = ReadScores(manifest.Tasks.Select(t => t.Outputs[^1]).ToList());
        if (sorted.Length == 0) return new Processor(options, buckets, 0, 0);
        var head = LinearPercentile.Of(sorted, buckets.HeadPercentile);
        var tail = LinearPercentile.Of(sorted, buckets.TailPercentile);
        if (context.Index == 0)
        {
            var name = options.ScoreColumn;
            context.Stats.SetValue($"{name}.cut_head_p{Label(buckets.HeadPercentile)}", head);
            context.Stats.SetValue($"{name}.cut_tail_p{Label(buckets.TailPercentile)}", tail);
            foreach (var q in new[] { 10.0, 50, 90 }) context.Stats.SetValue($"{name}.p{Label(q)}", LinearPercentile.Of(sorted, q));
            context.Stats.SetValue($"{name}.documents_scored", sorted.Length);
        }
        return new Processor(options, buckets, head, tail);
    }

    private static string Label(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Every score of the corpus, sorted; each file's checksums are verified as it is read.</summary>
    public static double[] ReadScores(IReadOnlyList<string> files)
    {
        var scores = new List<double>();
        foreach (var file in files)
        {
            var info = RecordFileFormat.ReadInfo(file, sizeof(double), PerplexityScoreJob.ScoresKind);
            for (var run = 0; run < info.Runs.Count; run++)
            {
                using var reader = new RecordRunReader<double>(info, run);
                while (reader.MoveNext()) scores.Add(reader.Current);
            }
        }
        var sorted = scores.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private sealed class Processor(PerplexityOptions options, PerplexityBuckets buckets, double head, double tail) : IDocumentProcessor
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

        public DocumentVerdict Process(Document document)
        {
            if (document[options.ScoreColumn] is not double score)
                throw new InvalidDataException($"{document.Origin}: document '{document.Id}' has no '{options.ScoreColumn}' column (the scoring stage writes it)");
            var bucket = PerplexityBuckets.Of(score, head, tail);
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
