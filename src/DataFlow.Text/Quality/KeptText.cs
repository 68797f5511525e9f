using System.Buffers;
using System.Text;
using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// The text a kept document leaves with: the input as written, byte for byte, unless a rule removed lines or edits
/// kept lines (C4). Rules see normalized text, so a removal is mapped back to the lines as written: normalization
/// turns each line that has visible text into exactly one non-empty line, in order, and only merges or trims blank
/// lines; the i-th visible line as written is therefore the i-th visible line the rules saw. Blank lines as written
/// go when the removing rule drops blank lines. Kept lines keep their own line breaks ("\r\n" stays "\r\n").
/// </summary>
public static class KeptText
{
    /// <summary>
    /// Builds the kept text of <paramref name="original"/> after <paramref name="analyzed"/> went through a chain;
    /// <paramref name="normalizer"/> is the one that made <see cref="AnalyzedText.Source"/> (null: the source is the
    /// original). Appends to <paramref name="rewrites"/> the reason of every rewrite that changed the text.
    /// </summary>
    public static string Of(string original, AnalyzedText analyzed, TextNormalizer? normalizer, ICollection<string> rewrites)
    {
        if (!analyzed.LinesRemoved && analyzed.KeptLineEdit is null) return original;
        var source = analyzed.Source.AsSpan();
        var output = new StringBuilder(original.Length);
        var edited = false;
        var removed = false;
        // Walk the source lines (split as AnalyzedText splits them) in step with the lines as written.
        var sourceStart = 0;
        var sourceIndex = 0;
        var position = 0;
        while (position < original.Length)
        {
            var (contentEnd, lineEnd) = NextLine(original, position, normalizer);
            var content = original.AsSpan(position, contentEnd - position);
            bool kept;
            if (normalizer is null)
            {
                kept = analyzed.IsSourceLineKept(sourceIndex++);
            }
            else if (!normalizer.IsVisibleLine(content))
            {
                kept = analyzed.BlankLinesKept || !analyzed.LinesRemoved;
            }
            else
            {
                // The next visible source line is this line's normalized form.
                while (true)
                {
                    if (sourceStart >= source.Length)
                        throw new InvalidOperationException($"kept text: the normalized text has fewer visible lines than the text as written (line at character {position})");
                    var newline = source[sourceStart..].IndexOf('\n');
                    var end = newline < 0 ? source.Length : sourceStart + newline;
                    var visible = normalizer.IsVisibleLine(source[sourceStart..end]);
                    sourceStart = end + 1;
                    sourceIndex++;
                    if (visible) break;
                }
                kept = analyzed.IsSourceLineKept(sourceIndex - 1);
            }
            if (kept)
            {
                if (analyzed.KeptLineEdit is { } edit)
                {
                    var line = content.ToString();
                    var after = edit(line);
                    if (!ReferenceEquals(after, line) && after != line) edited = true;
                    output.Append(after);
                }
                else
                {
                    output.Append(content);
                }
                output.Append(original.AsSpan(contentEnd, lineEnd - contentEnd));
            }
            else
            {
                removed = true;
            }
            position = lineEnd;
        }
        if (removed)
            foreach (var reason in analyzed.Rewrites) rewrites.Add(reason);
        if (edited && analyzed.KeptLineEditReason is { } editReason) rewrites.Add(editReason);
        return removed || edited ? output.ToString() : original;
    }

    private static readonly SearchValues<char> LineBreaks = SearchValues.Create("\n\r\u0085\u2028\u2029");

    /// <summary>End of the line's content and of its line break, splitting where the normalizer (or AnalyzedText: '\n' only) splits.</summary>
    private static (int ContentEnd, int LineEnd) NextLine(string text, int start, TextNormalizer? normalizer)
    {
        var span = text.AsSpan();
        var rest = span[start..];
        if (normalizer is null)
        {
            var newline = rest.IndexOf('\n');
            if (newline < 0) return (span.Length, span.Length);
            var i = start + newline;
            var contentEnd = i > start && span[i - 1] == '\r' ? i - 1 : i;
            return (contentEnd, i + 1);
        }
        // Every character found is a break the normalizer splits at (only '\n' without its line-ending option).
        var rel = normalizer.Options.LineEndings ? rest.IndexOfAny(LineBreaks) : rest.IndexOf('\n');
        if (rel < 0) return (span.Length, span.Length);
        var at = start + rel;
        return (at, at + normalizer.LineBreakLength(span, at));
    }
}
