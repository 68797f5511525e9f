namespace DataFlow.Text.Normalization;

/// <summary>
/// Rule-based sentence splitting for counting, without a trained model. A sentence ends at '.', '!' or '?'
/// (runs count once) followed by optional closing quotes or brackets and then whitespace or the end of the text,
/// unless the next word starts with a lower-case letter ("e.g. this", "etc. and"); the full-width CJK
/// terminators 。！？ end a sentence with no space after them. Text without any terminator is one sentence.
/// </summary>
public static class SentenceSplitter
{
    public static int Count(ReadOnlySpan<char> text) => Count(text, int.MaxValue);

    /// <summary>Counts sentences, stopping early once <paramref name="enough"/> are found (callers that only compare with a minimum).</summary>
    public static int Count(ReadOnlySpan<char> text, int enough)
    {
        var count = 0;
        var inSentence = false;   // seen a visible, non-terminator character since the last sentence end
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsCjkTerminator(c))
            {
                if (inSentence && ++count >= enough) return count;
                inSentence = false;
                continue;
            }
            if (c is '.' or '!' or '?')
            {
                var j = i + 1;
                while (j < text.Length && text[j] is '.' or '!' or '?') j++;
                while (j < text.Length && IsCloser(text[j])) j++;
                if (j == text.Length || (WordSplitter.IsSpace(text[j]) && !NextWordIsLowerCase(text, j)))
                {
                    if (inSentence && ++count >= enough) return count;
                    inSentence = false;
                }
                i = j - 1;
                continue;
            }
            if (!WordSplitter.IsSpace(c)) inSentence = true;
        }
        return inSentence ? count + 1 : count;
    }

    /// <summary>
    /// The sentences <see cref="Count"/> counts, as ranges from a sentence's first visible character to its
    /// terminator (and closing quotes or brackets); the last, unterminated one ends at its last visible character.
    /// Clears and fills <paramref name="sentences"/>.
    /// </summary>
    public static void Spans(ReadOnlySpan<char> text, List<TextRange> sentences)
    {
        sentences.Clear();
        var start = -1;   // first visible, non-terminator character of the current sentence, -1 before it
        var i = 0;
        while (i < text.Length)
        {
            if (start >= 0)
            {
                // Inside a sentence only terminators matter: jump to the next one (vectorized).
                var next = text[i..].IndexOfAny(Terminators);
                if (next < 0) break;
                i += next;
            }
            var c = text[i];
            if (IsCjkTerminator(c))
            {
                if (start >= 0) sentences.Add(new TextRange(start, i + 1 - start));
                start = -1;
                i++;
                continue;
            }
            if (c is '.' or '!' or '?')
            {
                var j = i + 1;
                while (j < text.Length && text[j] is '.' or '!' or '?') j++;
                while (j < text.Length && IsCloser(text[j])) j++;
                if (j == text.Length || (WordSplitter.IsSpace(text[j]) && !NextWordIsLowerCase(text, j)))
                {
                    if (start >= 0) sentences.Add(new TextRange(start, j - start));
                    start = -1;
                }
                i = j;
                continue;
            }
            if (!WordSplitter.IsSpace(c)) start = i;
            i++;
        }
        if (start >= 0)
        {
            // The last sentence has no terminator: it ends at the text's last visible character.
            var end = text.Length;
            while (WordSplitter.IsSpace(text[end - 1])) end--;
            sentences.Add(new TextRange(start, end - start));
        }
    }

    private static readonly System.Buffers.SearchValues<char> Terminators = System.Buffers.SearchValues.Create(".!?\u3002\uff01\uff1f");

    private static bool NextWordIsLowerCase(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && WordSplitter.IsSpace(text[i])) i++;
        return i < text.Length && char.IsLower(text[i]);
    }

    private static bool IsCjkTerminator(char c) => c is '\u3002' or '\uff01' or '\uff1f';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '\u201d' or '\u2019' or '\u00bb';
}
