using System.Text.RegularExpressions;

namespace DataFlow.Text.Normalization;

/// <summary>
/// Sentence spans as NLTK 3.8's PunktSentenceTokenizer.span_tokenize finds them (realigned boundaries), the
/// splitter under datatrove's NLTK word tokenizer and its sentence counts. Ported: candidate ends at . ? !
/// followed by other punctuation or by whitespace and a token, Punkt's word segmentation of each candidate's
/// context, the first pass (abbreviations, ellipses) and the second pass (initials and ordinal numbers by the
/// orthographic heuristic). Not ported: learned parameters. A trained Punkt model also carries collocations,
/// frequent sentence starters and per-word orthographic statistics. Here the abbreviations are a fixed list of
/// common English ones, there are no collocations or sentence starters, and the orthographic statistics are
/// those any English training text yields for its commonest words (<see cref="CommonLowerCaseWords"/>: seen in
/// lower case and, in headings and titles, capitalized mid-sentence); every other word is unseen. So "Dr. Smith"
/// and "J. S. Bach" do not end a sentence, "degree C. It" does, "etc. The" does not, and where a trained model
/// learned other statistics (a collocation, a word seen in lower case) NLTK with that model may split otherwise.
/// </summary>
public static partial class PunktSentenceSplitter
{
    /// <summary>Common English abbreviations (lower case, without the final period).</summary>
    public static readonly IReadOnlySet<string> Abbreviations = new HashSet<string>(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "e.g", "i.e", "etc", "vs", "inc", "ltd", "co", "corp", "u.s", "u.k", "fig", "figs", "eq",
        "vol", "pp", "ed", "eds", "al", "cf", "approx", "dept", "est", "gen", "gov", "capt", "col", "lt", "sgt", "no", "nos",
        "op", "ch", "sec",
    };

    /// <summary>
    /// Frequent English words, given Punkt's orthographic context "lower case mid-sentence, upper case at a sentence
    /// start and mid-sentence". Seen in lower case, they are no name after an initial; seen capitalized mid-sentence,
    /// they are no proof of a sentence start after an abbreviation.
    /// </summary>
    public static readonly IReadOnlySet<string> CommonLowerCaseWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "the", "a", "an", "this", "that", "these", "those", "there", "then", "it", "its", "he", "she", "we", "they",
        "you", "his", "her", "their", "our", "your", "my", "and", "but", "or", "if", "in", "on", "at", "to", "for",
        "of", "with", "by", "from", "as", "is", "are", "was", "were", "be", "not", "no", "so", "all", "any", "each",
        "some", "when", "where", "which", "who", "what", "how", "why", "while", "after", "before", "also", "however",
        "one", "more", "most", "other", "such", "only",
    };

    private const int OrthoBeginUpper = 1 << 1, OrthoMidUpper = 1 << 2, OrthoUnknownUpper = 1 << 3;
    private const int OrthoBeginLower = 1 << 4, OrthoMidLower = 1 << 5, OrthoUnknownLower = 1 << 6;
    private const int OrthoUpper = OrthoBeginUpper | OrthoMidUpper | OrthoUnknownUpper;
    private const int OrthoLower = OrthoBeginLower | OrthoMidLower | OrthoUnknownLower;

    private static int OrthoContext(string type) => CommonLowerCaseWords.Contains(type) ? OrthoBeginUpper | OrthoMidUpper | OrthoMidLower : 0;

    // Punkt's "non-word" characters and multi-character punctuation (PunktLanguageVars, English).
    private const string NonWord = @"(?:[)"";}\]\*:@'\({\[?!])";
    private const string MultiChar = @"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)";

    [GeneratedRegex(@"[.?!](?=(?<after>" + NonWord + @"|\s+(?<next>\S+)))")]
    private static partial Regex PeriodContext();

    [GeneratedRegex("(" + MultiChar + @"|(?=[^\(""`{\[:;&\#\*@\)}\]\-,])\S+?(?=\s|$|" + NonWord + "|" + MultiChar + @"|,(?=$|\s|" + NonWord + "|" + MultiChar + @"))|\S)")]
    private static partial Regex PunktWord();

    [GeneratedRegex(@"[""')\]}]+?(?:\s+|(?=--)|$)", RegexOptions.Multiline)]
    private static partial Regex BoundaryRealignment();

    [GeneratedRegex(@"^-?[\.,]?\d[\d,\.-]*\.?$")]
    private static partial Regex Numeric();

    [GeneratedRegex(@"^[^\W\d]\.$")]
    private static partial Regex Initial();

    /// <summary>Sentence spans (start, end) of <paramref name="text"/>.</summary>
    public static List<(int Start, int End)> Spans(string text)
    {
        var slices = new List<(int Start, int End)>();
        var lastBreak = 0;
        foreach (var (match, context) in PotentialEndContexts(text))
        {
            if (!ContainsSentenceBreak(context)) continue;
            slices.Add((lastBreak, match.Index + match.Length));
            var next = match.Groups["next"];
            lastBreak = next.Success ? next.Index : match.Index + match.Length;
        }
        slices.Add((lastBreak, PythonText.StripEnd(text).Length));
        return Realign(text, slices);
    }

    /// <summary>Sentences as datatrove's split_into_sentences counts them: the number of spans, at least one.</summary>
    public static int Count(string text) => Math.Max(1, Spans(text).Count);

    private static List<(int Start, int End)> Realign(string text, List<(int Start, int End)> slices)
    {
        var result = new List<(int, int)>();
        var realign = 0;
        for (var i = 0; i < slices.Count; i++)
        {
            var first = (Start: slices[i].Start + realign, slices[i].End);
            if (i + 1 == slices.Count)
            {
                if (first.End > first.Start) result.Add(first);
                continue;
            }
            var second = slices[i + 1];
            var m = second.End > second.Start ? BoundaryRealignment().Match(text, second.Start, second.End - second.Start) : Match.Empty;
            if (m.Success && m.Index == second.Start)
            {
                result.Add((first.Start, second.Start + PythonText.StripEnd(m.ValueSpan).Length));
                realign = m.Length;
            }
            else
            {
                realign = 0;
                if (first.End > first.Start) result.Add(first);
            }
        }
        return result;
    }

    /// <summary>Each candidate end with its context (the word before, the mark, what follows), overlaps removed as NLTK does.</summary>
    private static IEnumerable<(Match Match, string Context)> PotentialEndContexts(string text)
    {
        (int Start, int Stop) previousSlice = (0, 0);
        Match? previous = null;
        foreach (Match match in PeriodContext().Matches(text))
        {
            var lastSpace = LastWhitespaceIndex(text.AsSpan(previousSlice.Stop, match.Index - previousSlice.Stop));
            // NLTK treats a space at index 0 of the gap like no space at all (its "if index:" test); kept for equal output.
            var wordStart = lastSpace != 0 ? lastSpace + previousSlice.Stop + 1 : previousSlice.Start;
            (int Start, int Stop) wordSlice = (wordStart, match.Index);
            if (previous is not null && previousSlice.Stop <= wordSlice.Start) yield return (previous, ContextOf(text, previousSlice, previous));
            previous = match;
            previousSlice = wordSlice;
        }
        if (previous is not null) yield return (previous, ContextOf(text, previousSlice, previous));
    }

    private static string ContextOf(string text, (int Start, int Stop) word, Match match) =>
        string.Concat(word.Stop > word.Start ? text.AsSpan(word.Start, word.Stop - word.Start) : default, match.ValueSpan, match.Groups["after"].ValueSpan);

    private static int LastWhitespaceIndex(ReadOnlySpan<char> s)
    {
        for (var i = s.Length - 1; i >= 0; i--)
            if (s[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f') return i;
        return 0;
    }

    /// <summary>True when a token other than the last of <paramref name="context"/> is a sentence break after both passes.</summary>
    private static bool ContainsSentenceBreak(string context)
    {
        var tokens = new List<Token>();
        foreach (var line in context.Split('\n'))
        {
            if (PythonText.Strip(line).Length == 0) continue;
            foreach (Match m in PunktWord().Matches(line)) tokens.Add(new Token(m.Value));
        }
        foreach (var t in tokens) FirstPass(t);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i + 1 < tokens.Count) SecondPass(tokens[i], tokens[i + 1]);
            if (tokens[i].SentenceBreak && i + 1 < tokens.Count) return true;
        }
        return false;
    }

    private static void FirstPass(Token t)
    {
        var tok = t.Text;
        if (tok is "." or "?" or "!") t.SentenceBreak = true;
        else if (t.IsEllipsis) t.Ellipsis = true;
        else if (t.PeriodFinal && !tok.EndsWith("..", StringComparison.Ordinal))
        {
            var stem = tok[..^1].ToLowerInvariant();
            var hyphen = stem.LastIndexOf('-');
            if (Abbreviations.Contains(stem) || (hyphen >= 0 && Abbreviations.Contains(stem[(hyphen + 1)..]))) t.Abbreviation = true;
            else t.SentenceBreak = true;
        }
    }

    /// <summary>
    /// Punkt's second pass (NLTK _second_pass_annotation) with no collocations and no frequent sentence starters:
    /// an abbreviation or ellipsis before a word the orthographic heuristic calls a sentence starter is a break;
    /// an initial or ordinal number before a word it calls no starter is not, nor is an initial before a
    /// capitalized word never seen in lower case ("J. Bach").
    /// </summary>
    private static void SecondPass(Token first, Token next)
    {
        if (!first.PeriodFinal) return;
        var initial = Initial().IsMatch(first.Text);
        if ((first.Abbreviation || first.Ellipsis) && !initial && IsSentenceStarter(next) == true)
        {
            first.SentenceBreak = true;
            return;
        }
        if (!initial && first.TypeNoPeriod != "##number##") return;
        var starter = IsSentenceStarter(next);
        if (starter == false || (starter is null && initial && next.FirstUpper && (OrthoContext(next.TypeNoSentencePeriod) & OrthoLower) == 0))
        {
            first.SentenceBreak = false;
            first.Abbreviation = true;
        }
    }

    /// <summary>Punkt's orthographic heuristic: true (starts a sentence), false (does not) or null (unknown).</summary>
    private static bool? IsSentenceStarter(Token token)
    {
        if (token.Text is ";" or ":" or "," or "." or "!" or "?") return false;
        var context = OrthoContext(token.TypeNoSentencePeriod);
        if (token.FirstUpper && (context & OrthoLower) != 0 && (context & OrthoMidUpper) == 0) return true;
        if (token.FirstLower && ((context & OrthoUpper) != 0 || (context & OrthoBeginLower) == 0)) return false;
        return null;
    }

    private sealed class Token(string text)
    {
        public string Text { get; } = text;
        public string Type { get; } = Numeric().IsMatch(text) ? "##number##" : text.ToLowerInvariant();
        public bool PeriodFinal => Text.EndsWith('.');
        public string TypeNoPeriod => Type.Length > 1 && Type[^1] == '.' ? Type[..^1] : Type;
        public string TypeNoSentencePeriod => SentenceBreak ? TypeNoPeriod : Type;
        public bool FirstUpper => char.IsUpper(Text[0]);
        public bool FirstLower => char.IsLower(Text[0]);
        public bool IsEllipsis => Text.Length >= 2 && Text.AsSpan().IndexOfAnyExcept('.') < 0;
        public bool SentenceBreak { get; set; }
        public bool Ellipsis { get; set; }
        public bool Abbreviation { get; set; }
    }
}
