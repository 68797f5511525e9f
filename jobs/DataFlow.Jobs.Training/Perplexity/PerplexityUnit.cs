namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// What a perplexity is averaged over: the model's tokens (CCNet's choice, under its own tokenizer) or the document's
/// characters (Unicode scalar values), which compares across tokenizers.
/// </summary>
public enum PerplexityUnit
{
    Token,
    Char,
}
