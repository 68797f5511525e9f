namespace DataFlow.Text.Quality;

/// <summary>
/// Whose definitions the Gopher, C4 and FineWeb rules follow (<c>compat:</c> in a quality config). The thresholds
/// are the same published ones in both; what differs is how words, lines and sentences are found and how each
/// ratio is compared, so the rules read those from the mode instead of existing twice.
/// </summary>
public enum QualityCompat
{
    /// <summary>
    /// DataFlow's own reading: words are whitespace runs with edge punctuation trimmed and every CJK character a
    /// word (fast, no allocation, works for Chinese and Japanese); lines and text are those of the normalized text.
    /// </summary>
    DataFlow,

    /// <summary>
    /// datatrove 0.10 (a649de7): words from NLTK's English word tokenizer (Punkt sentences + Treebank words; spaCy,
    /// datatrove's English default, is not available here), Python's line splitting and <c>len()</c>, datatrove's
    /// punctuation sets, case-sensitive stop words and strict comparisons. English only.
    /// </summary>
    Datatrove,
}
