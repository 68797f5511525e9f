namespace DataFlow.Trainer.Training;

/// <summary>The loss or gradient became NaN or infinite; the run stopped without saving, so the newest checkpoint is the last good one.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
