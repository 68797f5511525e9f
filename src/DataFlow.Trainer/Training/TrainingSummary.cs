namespace DataFlow.Trainer.Training;

/// <summary>What a finished training run reports: the losses of the steps it ran (starting at <see cref="FirstStep"/>) and where it saved.</summary>
public sealed record TrainingSummary(long FirstStep, long Steps, IReadOnlyList<double> Losses, double? FinalValLoss, double TokensPerSecond, string? LastCheckpoint);
