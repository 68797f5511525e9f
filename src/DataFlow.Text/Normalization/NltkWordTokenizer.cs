using System.Text.RegularExpressions;

namespace DataFlow.Text.Normalization;

/// <summary>
/// NLTK 3.8's <c>word_tokenize(text, "english")</c> as datatrove's NLTKTokenizer calls it: the text is split
/// into sentences (<see cref="PunktSentenceSplitter"/>), each sentence goes through NLTKWordTokenizer (the
/// improved Treebank tokenizer: quotes become `` and '', punctuation and clitics are split off, a period is split
/// off only at the end of a sentence), and empty tokens are dropped. The regular expressions are NLTK's, in order.
/// </summary>
public static class NltkWordTokenizer
{
    private static readonly (Regex Pattern, string Replacement)[] StartingQuotes =
    [
        (new Regex("([«“‘„]|[`]+)", RegexOptions.Compiled), " $1 "),
        (new Regex("^\"", RegexOptions.Compiled), "``"),
        (new Regex("(``)", RegexOptions.Compiled), " $1 "),
        (new Regex("([ \\(\\[{<])(\"|'{2})", RegexOptions.Compiled), "$1 `` "),
        (new Regex(@"(?i)(')(?!re|ve|ll|m|t|s|d|n)(\w)\b", RegexOptions.Compiled), "$1 $2"),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Punctuation =
    [
        (new Regex(@"([^\.])(\.)([\]\)}>""'»”’ ]*)\s*$", RegexOptions.Compiled), "$1 $2 $3 "),
        (new Regex(@"([:,])([^\d])", RegexOptions.Compiled), " $1 $2"),
        (new Regex(@"([:,])$", RegexOptions.Compiled), " $1 "),
        (new Regex(@"\.{2,}", RegexOptions.Compiled), " $0 "),
        (new Regex(@"[;@#$%&]", RegexOptions.Compiled), " $0 "),
        (new Regex(@"([^\.])(\.)([\]\)}>""']*)\s*$", RegexOptions.Compiled), "$1 $2$3 "),
        (new Regex(@"[?!]", RegexOptions.Compiled), " $0 "),
        (new Regex(@"([^'])' ", RegexOptions.Compiled), "$1 ' "),
        (new Regex(@"[*]", RegexOptions.Compiled), " $0 "),
        (new Regex(@"[\]\[\(\)\{\}\<\>]", RegexOptions.Compiled), " $0 "),
        (new Regex(@"--", RegexOptions.Compiled), " -- "),
    ];

    private static readonly (Regex Pattern, string Replacement)[] EndingQuotes =
    [
        (new Regex("([»”’])", RegexOptions.Compiled), " $1 "),
        (new Regex("''", RegexOptions.Compiled), " '' "),
        (new Regex("\"", RegexOptions.Compiled), " '' "),
        (new Regex("([^' ])('[sS]|'[mM]|'[dD]|') ", RegexOptions.Compiled), "$1 $2 "),
        (new Regex("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", RegexOptions.Compiled), "$1 $2 "),
        // Robert MacIntyre's contractions (CONTRACTIONS2 and CONTRACTIONS3).
        (new Regex(@"(?i)\b(can)(not)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(d)('ye)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(gim)(me)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(gon)(na)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(got)(ta)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(lem)(me)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(more)('n)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i)\b(wan)(na)(?=\s)", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i) ('t)(is)\b", RegexOptions.Compiled), " $1 $2 "),
        (new Regex(@"(?i) ('t)(was)\b", RegexOptions.Compiled), " $1 $2 "),
    ];

    /// <summary>The tokens of <paramref name="text"/>, sentence by sentence.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var (start, end) in PunktSentenceSplitter.Spans(text)) TokenizeSentence(text[start..end], tokens);
        return tokens;
    }

    /// <summary>NLTKWordTokenizer.tokenize of one sentence, appended to <paramref name="tokens"/>.</summary>
    public static void TokenizeSentence(string sentence, List<string> tokens)
    {
        var s = sentence;
        foreach (var (pattern, replacement) in StartingQuotes) s = pattern.Replace(s, replacement);
        foreach (var (pattern, replacement) in Punctuation) s = pattern.Replace(s, replacement);
        s = " " + s + " ";
        foreach (var (pattern, replacement) in EndingQuotes) s = pattern.Replace(s, replacement);
        foreach (var range in PythonText.Split(s))
        {
            var token = PythonText.Strip(range.Of(s));
            if (token.Length > 0) tokens.Add(token.ToString());
        }
    }
}
