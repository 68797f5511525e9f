namespace DataFlow.Trainer.Ppo;

/// <summary>A rendered prompt (ending with an open assistant turn) and the user's text, which the true scorer reads.</summary>
public sealed record PromptExample(int[] Ids, string UserText);
