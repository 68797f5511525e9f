namespace DataFlow.Trainer.Reward;

/// <summary>Held-out pairwise quality: mean loss, accuracy (r_chosen > r_rejected) and mean margin r_chosen - r_rejected.</summary>
public sealed record RewardEvaluation(double Loss, double Accuracy, double MeanMargin, int Pairs);
