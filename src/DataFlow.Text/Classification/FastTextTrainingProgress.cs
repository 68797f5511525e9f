namespace DataFlow.Text.Classification;

/// <summary>Where training stands, as fastText's progress line shows it: share of all epochs' tokens done, the
/// average loss of the first thread, tokens per second per thread and the current learning rate.</summary>
public sealed record FastTextTrainingProgress(double Progress, double AverageLoss, double TokensPerSecondPerThread, double LearningRate);
