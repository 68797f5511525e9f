using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// <c>dataflow classifier train</c> and <c>test</c>: trains a fastText classifier on a labelled file with
/// <see cref="FastTextTrainer"/>, and scores a model on one as <c>fasttext test</c> does (N, precision and recall at k).
/// </summary>
public static class ClassifierTraining
{
    /// <summary>N, P@k, R@k over the examples that have a label the model knows, as <c>fasttext test</c> prints them.</summary>
    public sealed record Evaluation(long Examples, int K, double Precision, double Recall);

    public static FastTextModel Train(ClassifierTrainingInput input, FastTextArgs args, Action<FastTextTrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        RequireFile(input.Path);
        var trainer = new FastTextTrainer(args);
        try
        {
            return input.IsJsonLines
                ? trainer.Train(input.ReadExamples(), progress, cancellation)
                : trainer.Train(input.ReadLines(), progress, cancellation);
        }
        catch (InvalidDataException e)
        {
            throw new BadInputException(new Reject(input.Path, 0, e.Message));
        }
    }

    /// <summary>
    /// fastText's test: every example with at least one known label counts; precision is correct predictions over
    /// predictions made (up to k each, at or above the threshold), recall correct predictions over gold labels.
    /// </summary>
    public static Evaluation Test(FastTextModel model, ClassifierTrainingInput input, int k = 1, float threshold = 0f)
    {
        RequireFile(input.Path);
        if (k <= 0) throw new ArgumentException($"k must be at least 1 (got {k})");
        var lines = input.IsJsonLines ? input.ReadExamples().Select(e => AsLine(e, model.Args.LabelPrefix)) : input.ReadLines();
        long examples = 0, predicted = 0, gold = 0, correct = 0;
        var words = new List<int>();
        var goldLabels = new List<int>();
        foreach (var line in lines)
        {
            // fastText's test reads the line as training does and skips it without labels or without any input row.
            model.Dictionary.GetLine(Encoding.UTF8.GetBytes(line), words, goldLabels);
            if (goldLabels.Count == 0 || words.Count == 0) continue;
            // Labels are not words, so predicting on the whole line is predicting on its text.
            var predictions = model.Predict(line, k, threshold);
            examples++;
            gold += goldLabels.Count;
            predicted += predictions.Count;
            correct += predictions.Count(p => goldLabels.Contains(p.LabelIndex));
        }
        return new Evaluation(examples, k, predicted == 0 ? double.NaN : (double)correct / predicted, gold == 0 ? double.NaN : (double)correct / gold);
    }

    /// <summary>The example as the fastText line it trains as (labels, then the text).</summary>
    public static string AsLine(LabelledText example, string labelPrefix = FastTextArgs.DefaultLabelPrefix) =>
        string.Join(' ', example.Labels.Select(l => l.StartsWith(labelPrefix, StringComparison.Ordinal) ? l : labelPrefix + l)) + " " + example.Text;

    private static void RequireFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist", path);
    }
}
