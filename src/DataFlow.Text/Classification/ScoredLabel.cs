namespace DataFlow.Text.Classification;

/// <summary>A label index with its log-probability, as fastText's predict heap holds them.</summary>
internal record struct ScoredLabel(float Score, int Label);
