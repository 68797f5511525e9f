using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// C4's bad-words page filter: drops a page containing any listed word or phrase, ignoring case. Words match
/// whole words only (as C4's \W-flanked pattern); entries in CJK scripts match anywhere, since those scripts do
/// not separate words. The list is supplied by the caller (C4 used LDNOOBW; none ships with DataFlow).
/// </summary>
public sealed class C4BadWordsRule : IQualityRule
{
    public const string BadWords = "c4.bad_words";

    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly string[] _phrases;
    private readonly string[] _cjk;

    public C4BadWordsRule(IEnumerable<string> badWords)
    {
        var entries = badWords.Select(w => w.Trim()).Where(w => w.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        _cjk = entries.Where(w => w.Any(CjkCharacters.IsWordCharacter)).ToArray();
        var rest = entries.Except(_cjk).ToList();
        _phrases = rest.Where(w => !IsSingleWord(w)).ToArray();
        _words = new HashSet<string>(rest.Except(_phrases), StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name => "c4_badwords";

    public IReadOnlyList<string> Reasons { get; } = [BadWords];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var text = analyzed.Text.AsSpan();
        if (_words.Set.Count > 0)
            foreach (var w in analyzed.Words)
                if (_words.Contains(w.Of(text))) return RuleVerdict.Drop(BadWords);
        foreach (var phrase in _phrases)
            if (ContainsAsWords(text, phrase)) return RuleVerdict.Drop(BadWords);
        foreach (var entry in _cjk)
            if (text.Contains(entry, StringComparison.OrdinalIgnoreCase)) return RuleVerdict.Drop(BadWords);
        return RuleVerdict.Keep;
    }

    /// <summary>True when the word splitter sees the entry as exactly one word spanning all of it.</summary>
    private static bool IsSingleWord(string entry)
    {
        var words = WordSplitter.Enumerate(entry);
        return words.MoveNext() && words.Current.Length == entry.Length && !words.MoveNext();
    }

    private static bool ContainsAsWords(ReadOnlySpan<char> text, string phrase)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var i = text[offset..].IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
            if (i < 0) return false;
            var start = offset + i;
            var end = start + phrase.Length;
            if ((start == 0 || !char.IsLetterOrDigit(text[start - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]))) return true;
            offset = start + 1;
        }
        return false;
    }
}
