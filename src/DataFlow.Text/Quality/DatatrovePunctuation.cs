using System.Text;

namespace DataFlow.Text.Quality;

/// <summary>
/// datatrove 0.10's punctuation constants (datatrove/utils/text.py): PUNCTUATION_SET, which decides whether a
/// token is a symbol and not a word in the Gopher quality rule (ASCII and CJK punctuation, a few symbols, the
/// control characters except tab and newline), and TERMINAL_PUNCTUATION, the sentence-final marks of many scripts
/// that FineWeb's line-punctuation ratio looks for. Copied character for character, including the odd members
/// (U+FF11, the full-width digit one, is in PUNCTUATION).
/// </summary>
public static class DatatrovePunctuation
{
    private const string Punctuation = "!/\u2014\u201D:\uFF05\uFF11\u3008&(\u3001\u2501\u005C\u3010#%\u300C\u300D\uFF0C\u3011\uFF1B+^]~\u201C\u300A\u201E';\u2019{|\u2236\u00B4[=-`*\uFF0E\uFF08\u2013\uFF1F\uFF01\uFF1A$\uFF5E\u00AB\u3009,><\u300B)?\uFF09\u3002\u2026@_.\u0022}\u25BA\u00BB\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000D\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008A\u008B\u008C\u008D\u008E\u008F\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009A\u009B\u009C\u009D\u009E\u009F";
    private const string Terminal = "!.?\u0589\u061D\u061E\u061F\u06D4\u0700\u0701\u0702\u07F9\u0837\u0839\u083D\u083E\u0964\u0965\u104A\u104B\u1362\u1367\u1368\u166E\u1735\u1736\u17D4\u17D5\u17D6\u17D9\u17DA\u1803\u1809\u1944\u1945\u1AA8\u1AA9\u1AAA\u1AAB\u1B5A\u1B5B\u1B5E\u1B5F\u1B7D\u1B7E\u1C3B\u1C3C\u1C7E\u1C7F\u203C\u203D\u2047\u2048\u2049\u2E2E\u2E3C\u2E53\u2E54\u3002\uA4FF\uA60E\uA60F\uA6F3\uA6F7\uA876\uA877\uA8CE\uA8CF\uA92F\uA9C8\uA9C9\uAA5D\uAA5E\uAA5F\uAAF0\uAAF1\uABEB\uFE52\uFE56\uFE57\uFF01\uFF0E\uFF1F\uFF61\U00010A56\U00010A57\U00010F55\U00010F56\U00010F57\U00010F58\U00010F59\U00010F86\U00010F87\U00010F88\U00010F89\U00011047\U00011048\U000110BE\U000110BF\U000110C0\U000110C1\U00011141\U00011142\U00011143\U000111C5\U000111C6\U000111CD\U000111DE\U000111DF\U00011238\U00011239\U0001123B\U0001123C\U000112A9\U0001144B\U0001144C\U000115C2\U000115C3\U000115C9\U000115CA\U000115CB\U000115CC\U000115CD\U000115CE\U000115CF\U000115D0\U000115D1\U000115D2\U000115D3\U000115D4\U000115D5\U000115D6\U000115D7\U00011641\U00011642\U0001173C\U0001173D\U0001173E\U00011944\U00011946\U00011A42\U00011A43\U00011A9B\U00011A9C\U00011C41\U00011C42\U00011EF7\U00011EF8\U00011F43\U00011F44\U00016A6E\U00016A6F\U00016AF5\U00016B37\U00016B38\U00016B44\U00016E98\U0001BC9F\U0001DA88";

    private static readonly HashSet<int> TerminalSet = Runes(Terminal);
    private static readonly HashSet<int> PunctuationSet = [.. Runes(Punctuation), .. TerminalSet];

    /// <summary>True when every character of the token is in PUNCTUATION_SET (datatrove: not a word).</summary>
    public static bool IsSymbolToken(ReadOnlySpan<char> token)
    {
        foreach (var rune in token.EnumerateRunes())
            if (!PunctuationSet.Contains(rune.Value)) return false;
        return true;
    }

    /// <summary>True when the line's last character is one of TERMINAL_PUNCTUATION (<c>line.endswith(stop_chars)</c>).</summary>
    public static bool EndsInTerminal(ReadOnlySpan<char> line) =>
        line.Length > 0 && Rune.DecodeLastFromUtf16(line, out var rune, out _) == System.Buffers.OperationStatus.Done && TerminalSet.Contains(rune.Value);

    private static HashSet<int> Runes(string s)
    {
        var set = new HashSet<int>();
        foreach (var rune in s.EnumerateRunes()) set.Add(rune.Value);
        return set;
    }
}
