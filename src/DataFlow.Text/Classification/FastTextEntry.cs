namespace DataFlow.Text.Classification;

/// <summary>One dictionary entry: the token as written (labels keep their prefix), how often training saw it, and its type.</summary>
public sealed record FastTextEntry(string Word, long Count, FastTextEntryType Type);
