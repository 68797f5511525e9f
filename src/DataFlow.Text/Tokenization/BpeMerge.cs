namespace DataFlow.Text.Tokenization;

/// <summary>One BPE merge rule, both sides written in the byte-level alphabet.</summary>
public readonly record struct BpeMerge(string Left, string Right);
