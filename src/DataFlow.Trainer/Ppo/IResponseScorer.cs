namespace DataFlow.Trainer.Ppo;

/// <summary>
/// What PPO maximizes: a score per sampled response. The learned reward model is one (<see cref="RewardModelScorer"/>);
/// a program over the token ids is another (<see cref="FunctionScorer"/>: verifiable rewards, tests).
/// </summary>
public interface IResponseScorer
{
    /// <summary>Scores of rows [rows.First, rows.First + rows.Count) of a batch (a data-parallel rank scores its share).</summary>
    /// <param name="responses">Every row's response ids, without the stop token.</param>
    float[] Score(IReadOnlyList<PromptExample> prompts, IReadOnlyList<int[]> responses, (int First, int Count) rows);
}
