namespace DataFlow.Engine.Tokens;

/// <summary>Documents and tokens (end-of-text separators included) that one source contributed to one split.</summary>
public sealed record TokenSourceCount(string Source, string Split, long Documents, long Tokens);
