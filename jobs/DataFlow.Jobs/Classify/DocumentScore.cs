namespace DataFlow.Jobs.Classify;

/// <summary>A document's top label (null when the model predicts nothing) and probability, and the kept label's probability.</summary>
public readonly record struct DocumentScore(string? Label, float Probability, float KeepProbability);
