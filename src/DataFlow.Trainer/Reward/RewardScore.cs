namespace DataFlow.Trainer.Reward;

/// <summary>How a reward model turns a rendered conversation into one number.</summary>
public enum RewardScore
{
    /// <summary>A scalar head on the final hidden state at the last non-pad token (InstructGPT).</summary>
    ValueHead,

    /// <summary>
    /// scale x the mean log-probability the model's own language-model head gives the response tokens (answer and
    /// its end token): SimPO's reference-free implicit reward. Starting from SFT, the model already ranks answers by
    /// how well it can produce them; pairwise training then pushes rejected answers down token by token.
    /// </summary>
    MeanLogProb,
}
