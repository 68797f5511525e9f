using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// The classifier_train stage (one task): reads the positive documents, draws negatives at random from the negative
/// documents (files that are also positive inputs are left out of them) (the <c>negatives</c> with the lowest seeded hash of their id, so the draw does not depend on file order;
/// a negative whose text equals a positive's is skipped, so no text carries both labels), holds out
/// <c>validation_fraction</c> of both, trains with <see cref="FastTextTrainer"/> on the rest in hash order (a seeded
/// shuffle), and writes OUT/model.bin and OUT/train.txt. Stats: <c>train.positives</c>, <c>train.negatives</c>,
/// <c>validation.examples</c>, and the value <c>validation_precision</c> (P@1 on the held-out examples).
/// </summary>
public sealed class ClassifierTrainJob(ClassifierTrainOptions options, string baseDir) : IStageJob
{
    public const string ModelFile = "model.bin";
    public const string TrainFile = "train.txt";

    public int MaxParallelTasks => 1;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var positives = InputGlob.Expand(options.Positive, baseDir);
        // A positive file is not read as a negative too (a corpus glob may include it).
        var negatives = (options.Negative is { } patterns
            ? InputGlob.Expand(patterns, baseDir)
            : context.PreviousManifest().Tasks.Select(t => t.Outputs[0]).ToList()).Except(positives).ToList();
        if (negatives.Count == 0)
            throw new InvalidOperationException($"stage '{context.Stage.Name}': no negative input is left once the positive files are taken out");
        var outDir = context.OutputDir;
        return [new TaskPlan(0, [.. positives, .. negatives], [Path.Combine(outDir, ModelFile), Path.Combine(outDir, TrainFile)])];
    }

    private sealed record Example(string Label, string Text, ulong Order);

    public void Run(TaskContext context)
    {
        var positiveFiles = InputGlob.Expand(options.Positive, baseDir).ToHashSet(StringComparer.Ordinal);
        var rejects = context.Rejects;
        var stats = context.Stats;

        var positives = Draw(context.Inputs.Where(positiveFiles.Contains), options.MaxPositives ?? long.MaxValue, options.PositiveLabel, null, rejects, context);
        if (positives.Count == 0) throw new InvalidDataException($"stage '{context.Stage.Name}': the positive inputs hold no documents");
        var positiveTexts = positives.Select(e => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(e.Text))).ToHashSet();
        var negatives = Draw(context.Inputs.Where(f => !positiveFiles.Contains(f)), options.Negatives ?? positives.Count, options.NegativeLabel, positiveTexts, rejects, context);
        if (negatives.Count == 0) throw new InvalidDataException($"stage '{context.Stage.Name}': the negative inputs hold no documents");
        stats.Add("train.positives", positives.Count);
        stats.Add("train.negatives", negatives.Count);

        var all = positives.Concat(negatives).OrderBy(e => e.Order).ToList();
        var held = (ulong)(options.ValidationFraction * ulong.MaxValue);
        var validation = all.Where(e => Mix(e.Order) < held).ToList();
        var train = all.Where(e => Mix(e.Order) >= held).ToList();
        stats.Add("validation.examples", validation.Count);

        using (var writer = new StreamWriter(context.CreateOutput(context.Plan.Outputs[1]), false, new UTF8Encoding(false)))
            foreach (var example in train) writer.Write($"{example.Label} {OneLine(example.Text)}\n");

        var clock = Stopwatch.StartNew();
        var model = new FastTextTrainer(options.Training).Train(train.Select(e => new LabelledText(e.Label, e.Text)),
            p => context.Progress.SetFraction(p.Progress), context.Cancellation);
        stats.SetValue("train_seconds", clock.Elapsed.TotalSeconds);
        model.Save(context.CreateOutput(context.Plan.Outputs[0]));
        if (validation.Count > 0)
            stats.SetValue("validation_precision", validation.Count(e => model.Predict(e.Text) is [var top, ..] && top.Label == e.Label) / (double)validation.Count);
    }

    /// <summary>The <paramref name="count"/> documents of the files with the lowest seeded hash of their id (and text, for ids that repeat).</summary>
    private List<Example> Draw(IEnumerable<string> files, long count, string label, HashSet<ulong>? excludedTexts, IRejectSink rejects, TaskContext context)
    {
        // A max-heap on the hash: the largest of those kept leaves when a lower one arrives.
        var kept = new PriorityQueue<Example, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        foreach (var file in files)
            foreach (var doc in DocumentSources.Read(file, options.Read, rejects))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                if (string.IsNullOrWhiteSpace(doc.Text)) continue;
                if (excludedTexts is not null && excludedTexts.Contains(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(doc.Text)))) continue;
                var order = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(doc.Id + "\n" + doc.Text), (long)options.Seed);
                if (kept.Count < count) kept.Enqueue(new Example(label, doc.Text, order), order);
                else if (kept.TryPeek(out _, out var highest) && order < highest) kept.EnqueueDequeue(new Example(label, doc.Text, order), order);
            }
        return kept.UnorderedItems.Select(i => i.Element).ToList();
    }

    /// <summary>A second, independent hash of an example's order, for the validation split.</summary>
    private static ulong Mix(ulong order) => XxHash64.HashToUInt64(BitConverter.GetBytes(order), 0x5EED);

    /// <summary>The text as one fastText line: every whitespace run fastText splits on (newlines included) as one space.</summary>
    private static string OneLine(string text) =>
        string.Join(' ', text.Split([' ', '\t', '\n', '\r', '\v', '\f', '\0'], StringSplitOptions.RemoveEmptyEntries));
}
