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
        if (IsCleanAscii(text)) return text;
        var composed = Options.Nfc && !IsQuickNfc(text) && !text.IsNormalized(NormalizationForm.FormC)
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

    // Printable ASCII plus '\n': text made only of these needs no NFC, control or line-ending work.
    private static readonly SearchValues<char> PrintableAscii =
        SearchValues.Create("\n !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Vectorized check that printable ASCII text is already in normal form: no space runs, no spaces at line ends, no excess blank lines.</summary>
    private bool IsCleanAscii(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOfAnyExcept(PrintableAscii) >= 0) return false;
        var o = Options;
        if (o.Whitespace && (span.Contains("  ", StringComparison.Ordinal) || span.Contains(" \n", StringComparison.Ordinal)
            || span.Contains("\n ", StringComparison.Ordinal) || span[0] == ' ' || span[^1] == ' '))
            return false;
        if (o.TrimDocument && (span[0] == '\n' || span[^1] == '\n')) return false;
        if (o.MaxBlankLines >= 0 && span.Contains(new string('\n', o.MaxBlankLines + 2), StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>
    /// True when every character is one whose presence cannot make text non-NFC (Latin below U+0300, Cyrillic
    /// letters, general punctuation, CJK ideographs, kana, Hangul syllables, full-width forms); otherwise the
    /// library check decides. Spares an ICU call on most documents.
    /// </summary>
    private static bool IsQuickNfc(string text)
    {
        var span = text.AsSpan();
        var i = 0;
        while (true)
        {
            // Vectorized jump over text below U+0300 (most text), then a scalar walk while the characters are above it.
            var next = span[i..].IndexOfAnyExceptInRange('\0', '\u02ff');
            if (next < 0) return true;
            i += next;
            for (; i < span.Length && span[i] is var c && c >= '\u0300'; i++)
            {
                if (c is (>= '\u0400' and <= '\u0482') or (>= '\u048a' and <= '\u052f') or (>= '\u2002' and <= '\u206f')
                    or (>= '\u20a0' and <= '\u20bf') or (>= '\u3000' and <= '\u3029') or (>= '\u3030' and <= '\u3096')
                    or (>= '\u30a0' and <= '\u30ff') or (>= '\u4e00' and <= '\u9fff') or (>= '\uac00' and <= '\ud7a3')
                    or (>= '\uff01' and <= '\uff5e'))
                    continue;
                return false;
            }
            if (i >= span.Length) return true;
        }
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
            while (c is >= '!' and <= '~')
            {
                // Printable ASCII other than space needs no work: copy the whole run at once (vectorized), and go on
                // past one space between two such characters (it stays as it is in every mode).
                var rest = input[(i + 1)..];
                var run = rest.IndexOfAnyExceptInRange('!', '~');
                if (run < 0) run = rest.Length;
                rest[..run].CopyTo(output[length..]);
                length += run;
                i += run;
                if (i + 2 >= input.Length || input[i + 1] != ' ' || input[i + 2] is < '!' or > '~') break;
                output[length++] = ' ';
                c = input[i + 2];
                output[length++] = c;
                i += 2;
            }
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

    /// <summary>
    /// Length of the line break at <paramref name="i"/> as <see cref="Normalize"/> reads it (2 for "\r\n", 1 for the
    /// other breaks, 0 when none), so a caller can split the text as written into the lines normalization produces.
    /// </summary>
    public int LineBreakLength(ReadOnlySpan<char> text, int i)
    {
        var c = text[i];
        if (c == '\n') return 1;
        if (!Options.LineEndings || !IsLineBreak(c)) return 0;
        return c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
    }

    /// <summary>Whether a line as written (no line break in it) is still a non-empty line after <see cref="Normalize"/>; blank lines may be merged or trimmed away.</summary>
    public bool IsVisibleLine(ReadOnlySpan<char> line)
    {
        foreach (var c in line)
        {
            if (Options.ControlCharacters && IsInvisibleControl(c)) continue;
            if (IsHorizontalSpace(c) && Options.Whitespace) continue;
            return true;
        }
        return false;
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
