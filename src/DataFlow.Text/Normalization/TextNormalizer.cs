using System.Buffers;
using System.Text;

namespace DataFlow.Text.Normalization;

/// <summary>
/// Shared text normalization: NFC, line endings, control characters and whitespace, in one pass over the text.
/// Returns the input string itself when nothing changes, so clean corpora cost one scan and no allocation.
/// </summary>
public sealed class TextNormalizer(TextNormalizerOptions options)
{
    public TextNormalizer() : this(TextNormalizerOptions.Default) { }

    public TextNormalizerOptions Options { get; } = options;

    public string Normalize(string text)
    {
        if (text.Length == 0) return text;
        var composed = Options.Nfc && !IsCheaplyNfc(text) && !text.IsNormalized(NormalizationForm.FormC)
            ? text.Normalize(NormalizationForm.FormC)
            : text;
        var rented = ArrayPool<char>.Shared.Rent(composed.Length);
        try
        {
            var length = Clean(composed, rented);
            var result = rented.AsSpan(0, length);
            return result.SequenceEqual(composed) ? composed : new string(result);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    // Text below U+0300 (Latin-1 and friends without combining marks) is always NFC; skip the library check.
    private static bool IsCheaplyNfc(string text)
    {
        foreach (var c in text)
            if (c >= '\u0300') return false;
        return true;
    }

    /// <summary>Writes the cleaned text to <paramref name="output"/> (at least as long as the input) and returns its length.</summary>
    private int Clean(ReadOnlySpan<char> input, Span<char> output)
    {
        var o = Options;
        var length = 0;
        var pendingSpace = false;     // a run of horizontal whitespace waiting for the next visible character
        var pendingNewlines = 0;      // newlines waiting for the next visible character
        var atDocumentStart = true;
        for (var i = 0; i < input.Length; i++)
        {
            var c = input[i];
            if (o.LineEndings && IsLineBreak(c))
            {
                if (c == '\r' && i + 1 < input.Length && input[i + 1] == '\n') i++;
                c = '\n';
            }
            if (c == '\n')
            {
                pendingSpace = false;
                pendingNewlines++;
                continue;
            }
            if (o.ControlCharacters && IsInvisibleControl(c)) continue;
            if (IsHorizontalSpace(c))
            {
                if (!o.Whitespace) { Flush(output, ref length, ref pendingNewlines, ref atDocumentStart, o); output[length++] = c; continue; }
                pendingSpace = true;
                continue;
            }
            Flush(output, ref length, ref pendingNewlines, ref atDocumentStart, o);
            if (pendingSpace)
            {
                // Whitespace mode drops spaces at a line start: only emit when something is already on this line.
                if (length > 0 && output[length - 1] != '\n') output[length++] = ' ';
                pendingSpace = false;
            }
            output[length++] = c;
        }
        if (!o.TrimDocument)
        {
            var keep = o.MaxBlankLines < 0 ? pendingNewlines : Math.Min(pendingNewlines, o.MaxBlankLines + 1);
            for (var k = 0; k < keep; k++) output[length++] = '\n';
        }
        return length;
    }

    private static void Flush(Span<char> output, ref int length, ref int pendingNewlines, ref bool atDocumentStart, TextNormalizerOptions o)
    {
        if (pendingNewlines > 0)
        {
            var keep = atDocumentStart && o.TrimDocument ? 0
                : o.MaxBlankLines < 0 ? pendingNewlines
                : Math.Min(pendingNewlines, o.MaxBlankLines + 1);
            for (var k = 0; k < keep; k++) output[length++] = '\n';
            pendingNewlines = 0;
        }
        atDocumentStart = false;
    }

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029';

    private static bool IsHorizontalSpace(char c) =>
        c == ' ' || c == '\t' || (c > '\u007f' && c != '\u0085' && c != '\u2028' && c != '\u2029' && char.IsWhiteSpace(c))
        || c == '\u000b' || c == '\u000c';

    /// <summary>Control and format characters that carry no text: C0/C1 controls (not tab/newline), zero-width marks, BOM.</summary>
    private static bool IsInvisibleControl(char c) =>
        c < ' ' ? c != '\t' && c != '\n' && c != '\r' && c != '\u000b' && c != '\u000c'
        : c == '\u007f' || (c >= '\u0080' && c <= '\u009f' && c != '\u0085')
          || c is '\u200b' or '\ufeff' or '\u00ad' or '\u2060';
}
