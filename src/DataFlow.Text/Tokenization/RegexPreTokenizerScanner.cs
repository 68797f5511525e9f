using System.Text.RegularExpressions;

namespace DataFlow.Text.Tokenization;

/// <summary>Any other pre-tokenizer pattern, through a compiled regex: each match is a piece, text between matches is dropped.</summary>
internal sealed class RegexPreTokenizerScanner(string pattern) : PreTokenizerScanner
{
    private readonly Regex _regex = new(pattern, RegexOptions.Compiled);

    public override string Pattern => pattern;

    public override int Split(ReadOnlySpan<char> text, ref int[] pieces)
    {
        var count = 0;
        foreach (var match in _regex.EnumerateMatches(text))
            if (match.Length > 0) Add(ref pieces, count++, match.Index, match.Length);
        return count;
    }
}
