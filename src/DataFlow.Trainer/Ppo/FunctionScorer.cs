namespace DataFlow.Trainer.Ppo;

/// <summary>A response scorer computed by a function of the prompt and the response ids (without the stop token).</summary>
public sealed class FunctionScorer(Func<PromptExample, int[], double> score) : IResponseScorer
{
    public float[] Score(IReadOnlyList<PromptExample> prompts, IReadOnlyList<int[]> responses, (int First, int Count) rows) =>
        Enumerable.Range(rows.First, rows.Count).Select(i => (float)score(prompts[i], responses[i])).ToArray();
}
