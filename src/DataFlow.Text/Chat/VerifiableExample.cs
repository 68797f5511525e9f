namespace DataFlow.Text.Chat;

/// <summary>A synthetic instruction whose correct answer is known: task family, prompt, and the one right answer.</summary>
public sealed record VerifiableExample(string Task, string Prompt, string Answer);
