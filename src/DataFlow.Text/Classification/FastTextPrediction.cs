namespace DataFlow.Text.Classification;

/// <summary>
/// One predicted label. <see cref="Label"/> is as the model stores it and `fasttext predict` prints it
/// (with the prefix, e.g. "__label__en"); <see cref="Name"/> is without the prefix ("en"). <see cref="Probability"/>
/// is the number `fasttext predict-prob` prints: exp(log(p + 1e-5)).
/// </summary>
public readonly record struct FastTextPrediction(int LabelIndex, string Label, string Name, float Probability);
