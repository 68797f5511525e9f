namespace DataFlow.Trainer.Sft;

/// <summary>One held-out prompt answered by the model, with the reference answer and both scores.</summary>
public sealed record SftSample(string Prompt, string Reference, string Response, bool ExactMatch, double TrueScore);
