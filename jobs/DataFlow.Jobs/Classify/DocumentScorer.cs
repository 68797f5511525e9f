using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Scores one document with a fastText model as the fastText command line scores one line (every whitespace run,
/// newlines included, separates words; one end-of-line token): the top label and its probability as
/// <c>fasttext predict-prob</c> prints it, and the probability of the kept label (0 when the model gives it none,
/// e.g. an empty document). Thread safe, as the model is.
/// </summary>
public sealed class DocumentScorer(FastTextModel model, string? keepLabel)
{
    public DocumentScore Score(string text)
    {
        // The kept label's probability needs every label (k = -1, as `fasttext predict-prob MODEL - -1`).
        var predictions = model.Predict(text, keepLabel is null ? 1 : FastTextModel.AllLabels);
        if (predictions.Count == 0) return new DocumentScore(null, 0, 0);
        var top = predictions[0];
        float keep = 0;
        if (keepLabel is not null)
            foreach (var prediction in predictions)
                if (prediction.Label == keepLabel)
                {
                    keep = prediction.Probability;
                    break;
                }
        return new DocumentScore(top.Label, top.Probability, keep);
    }
}
