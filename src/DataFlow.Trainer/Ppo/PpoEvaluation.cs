namespace DataFlow.Trainer.Ppo;

/// <summary>Held-out greedy answers: mean learned reward, mean true task score, mean summed KL to the reference.</summary>
public sealed record PpoEvaluation(double Reward, double TrueScore, double Kl);
