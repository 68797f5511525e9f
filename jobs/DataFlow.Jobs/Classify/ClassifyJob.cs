using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// The classify stage: annotates each document with the fastText model's top label and probability (and the kept
/// label's probability when filtering), and keeps it by <see cref="ClassifyKeep"/>: at least <c>min_score</c>, or
/// within the corpus-wide top-fraction cutoff that NAME.cutoff wrote. Counters: <c>class.LABEL</c> (documents by top
/// label) and the <see cref="ScoreHistogram"/> bins.
/// </summary>
public sealed class ClassifyJob(ClassifyOptions options, ClassifyLayout layout) : DocumentStageJob(options.Documents)
{
    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } = options.Keep is null
        ? [ExtraColumn.String(options.LabelColumn), ExtraColumn.Double(options.ScoreColumn)]
        : [ExtraColumn.String(options.LabelColumn), ExtraColumn.Double(options.ScoreColumn), ExtraColumn.Double(options.KeepScoreColumn)];

    private bool TopFraction => options.Keep?.TopFraction is not null;

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        options.Model.Validate(context);
        if (!TopFraction) return base.Plan(context);
        // Task i reads what scores task i read (and, when it runs, the cutoff NAME.cutoff wrote).
        context.ManifestOf(layout.Cutoff);
        var outDir = context.OutputDir;
        return context.ManifestOf(layout.Scores).Tasks.Select(t =>
        {
            List<string> outputs = [MainShard(outDir, t.Index)];
            if (Options.KeepRemoved) outputs.Add(Path.Combine(outDir, "removed", $"part-{t.Index:D5}.parquet"));
            return new TaskPlan(t.Index, t.Inputs, outputs);
        }).ToList();
    }

    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        var model = options.Model.Load(context);
        var keep = options.Keep;
        var label = keep is null ? null : ClassifierModelSource.ResolveLabel(model, keep.Label);
        var scorer = new DocumentScorer(model, label);
        if (keep is null) return new Processor(options, scorer, null, null, 0, 0);
        if (keep.MinScore is { } minScore) return new Processor(options, scorer, keep, label, minScore, long.MaxValue);
        var cutoffFile = StageManifest.Load(context.Run.ManifestFile(layout.Cutoff)).Tasks[0].Outputs[0];
        var cutoff = TopFractionCutoff.Load(cutoffFile);
        if (cutoff.TiesKept.Count <= context.Index)
            throw new InvalidDataException($"{cutoffFile}: the cutoff lists {cutoff.TiesKept.Count} tasks; this is task {context.Index}");
        return new Processor(options, scorer, keep, label, cutoff.Threshold, cutoff.TiesKept[context.Index], exclusive: true);
    }

    /// <param name="tiesKept">
    /// With top_fraction: how many documents scored exactly at the cutoff this task keeps (the first ones); scores
    /// above the cutoff are kept. With min_score every score at or above it is kept.
    /// </param>
    private sealed class Processor(ClassifyOptions options, DocumentScorer scorer, ClassifyKeep? keep, string? keepLabel, double threshold, long tiesKept,
        bool exclusive = false)
        : IDocumentProcessor
    {
        private readonly ScoreHistogram _histogram = new();
        private readonly Dictionary<string, long> _classes = new(StringComparer.Ordinal);
        private readonly string? _below = keep?.Reason(threshold);
        private readonly string? _tie = keep?.TieReason(threshold);
        private long _ties;

        public DocumentVerdict Process(Document document)
        {
            var score = scorer.Score(document.Text);
            document[options.LabelColumn] = score.Label;
            document[options.ScoreColumn] = score.Label is null ? null : (double)score.Probability;
            if (score.Label is not null)
            {
                _classes[score.Label] = _classes.GetValueOrDefault(score.Label) + 1;
                _histogram.AddTop(score.Label, score.Probability);
            }
            if (keep is null) return DocumentVerdict.Keep;
            double p = score.KeepProbability;
            document[options.KeepScoreColumn] = p;
            _histogram.AddKept(p);
            if (!exclusive) return p >= threshold ? DocumentVerdict.Keep : DocumentVerdict.Drop(_below!);
            if (p > threshold) return DocumentVerdict.Keep;
            if (p < threshold) return DocumentVerdict.Drop(_below!);
            return _ties++ < tiesKept ? DocumentVerdict.Keep : DocumentVerdict.Drop(_tie!);
        }

        public void Complete(TaskStats stats)
        {
            foreach (var (label, count) in _classes) stats.Add("class." + label, count);
            _histogram.WriteTo(stats, keepLabel);
            if (keep is not null) stats.Add("dropped." + _below, 0);
        }
    }
}
