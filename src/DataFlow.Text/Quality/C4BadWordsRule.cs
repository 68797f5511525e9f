using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// C4's bad-words page filter: drops a page containing any listed word or phrase, ignoring case. An entry matches
/// where it is flanked by non-word characters or the text's ends, as C4's pattern <c>(?:\W|^)(word)(?:\W|$)</c>
/// over the lower-cased page (tfds c4_utils, datatrove C4BadWordsFilter): "bar" matches in "foo-bar" and "bar's",
/// not in "barn" or "foo_bar" ('_' is a word character). Entries in CJK scripts match anywhere, since C4 matches
/// its Chinese and Japanese lists without word boundaries. The list is supplied by the caller (C4 used LDNOOBW;
/// none ships with DataFlow).
/// </summary>
public sealed class C4BadWordsRule : IQualityRule
{
    public const string BadWords = "c4.bad_words";

    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly int _maxWordLength;
    private readonly string[] _phrases;
    private readonly string[] _cjk;

    public C4BadWordsRule(IEnumerable<string> badWords)
    {
        var entries = badWords.Select(w => w.Trim()).Where(w => w.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        _cjk = entries.Where(w => w.Any(CjkCharacters.IsWordCharacter)).ToArray();
        var rest = entries.Except(_cjk).ToList();
        // An entry made only of word characters can only match a whole run of word characters: a set lookup.
        var words = rest.Where(w => w.All(IsWordCharacter)).ToList();
        _phrases = rest.Except(words).ToArray();
        _words = new HashSet<string>(words, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _maxWordLength = words.Count == 0 ? 0 : words.Max(w => w.Length);
    }

    public string Name => "c4_badwords";

    public IReadOnlyList<string> Reasons { get; } = [BadWords];

    public RuleVerdict Check(AnalyzedText analyzed)
    {
        var text = analyzed.Text.AsSpan();
        if (_words.Set.Count > 0 && ContainsListedWord(text)) return RuleVerdict.Drop(BadWords);
        foreach (var phrase in _phrases)
            if (ContainsFlanked(text, phrase)) return RuleVerdict.Drop(BadWords);
        foreach (var entry in _cjk)
            if (text.Contains(entry, StringComparison.OrdinalIgnoreCase)) return RuleVerdict.Drop(BadWords);
        return RuleVerdict.Keep;
    }

    /// <summary>Python's \w for str patterns: letters and digits of every script, and '_'.</summary>
    private static bool IsWordCharacter(char c) => c < '\u0080' ? char.IsAsciiLetterOrDigit(c) || c == '_' : char.IsLetterOrDigit(c);

    /// <summary>Looks every maximal run of word characters up in the list.</summary>
    private bool ContainsListedWord(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && !IsWordCharacter(text[i])) i++;
            var start = i;
            while (i < text.Length && IsWordCharacter(text[i])) i++;
            if (i > start && i - start <= _maxWordLength && _words.Contains(text[start..i])) return true;
        }
        return false;
    }

    private static bool ContainsFlanked(ReadOnlySpan<char> text, string phrase)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var i = text[offset..].IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
            if (i < 0) return false;
            var start = offset + i;
            var end = start + phrase.Length;
            if ((start == 0 || !IsWordCharacter(text[start - 1])) && (end == text.Length || !IsWordCharacter(text[end]))) return true;
            offset = start + 1;
        }
        return false;
    }
}
