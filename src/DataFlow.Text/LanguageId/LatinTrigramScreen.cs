using System.IO.Compression;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Lingua;

namespace DataFlow.Text.LanguageId;

/// <summary>
/// Lingua's low-accuracy decision among all its languages, computed without Lingua for the texts where that decision
/// is a trigram vote among the Latin-script languages: the same cleaning (lower case, punctuation and digits removed,
/// whitespace runs joined), the same distinct letter trigrams, the same probabilities from Lingua's own model files
/// with the same back-off (trigram, else its bigram prefix, else its first letter), the same softmax. One fused table
/// looks each trigram up once for every language, where Lingua looks it up once per language (with a string made
/// per lookup), so the screen costs some 1 % of Lingua's.
/// <para>
/// <see cref="TryTop"/> answers only where Lingua's rules cannot change the outcome: every letter is Latin, at least
/// one word is ASCII letters only (so the Latin alphabet is the one detected), and fewer non-ASCII letters than half
/// the words (so neither unique characters nor Lingua's character-to-language table can pick or narrow the languages);
/// elsewhere, and on a near tie, it returns null and the caller asks Lingua.
/// </para>
/// </summary>
public sealed class LatinTrigramScreen
{
    private static readonly Lazy<LatinTrigramScreen?> SharedScreen = new(() => ModelDirectory() is { } dir ? Load(dir) : null);

    private readonly Language[] _languages;
    private readonly Dictionary<char, int> _unigramRows;
    private readonly Dictionary<uint, int> _bigramRows;
    private readonly double[] _rows;                     // bigram and unigram rows: log p per language, back-off applied, 0 where none
    private readonly Dictionary<ulong, (int Start, int Count)> _trigrams;
    private readonly byte[] _trigramLanguage;
    private readonly double[] _trigramLogP;

    [ThreadStatic] private static Scratch? _scratch;

    private LatinTrigramScreen(Language[] languages, Dictionary<char, int> unigramRows, Dictionary<uint, int> bigramRows,
        double[] rows, Dictionary<ulong, (int, int)> trigrams, byte[] trigramLanguage, double[] trigramLogP)
    {
        _languages = languages;
        _unigramRows = unigramRows;
        _bigramRows = bigramRows;
        _rows = rows;
        _trigrams = trigrams;
        _trigramLanguage = trigramLanguage;
        _trigramLogP = trigramLogP;
    }

    /// <summary>The screen built from the Lingua model files next to the program, once per process; null when they are not there.</summary>
    public static LatinTrigramScreen? Shared => SharedScreen.Value;

    public IReadOnlyList<Language> Languages => _languages;

    /// <summary>
    /// Lingua's top language and confidence for <paramref name="text"/> among all languages in low-accuracy mode, or
    /// null where this screen cannot vouch for giving the same answer (see the class summary).
    /// </summary>
    public (Language? Language, double Score)? TryTop(string text) => TryTop(text, null, 3);

    /// <summary>
    /// The same for a Lingua detector built from <paramref name="among"/> (a mask over <see cref="Languages"/>, from
    /// <see cref="MaskOf"/>; null: all languages): Lingua scores only the Latin-script ones among its languages. A
    /// high-accuracy detector reads trigrams alone only from 120 cleaned characters on
    /// (<paramref name="minCleanChars"/> 120); below that this returns null.
    /// </summary>
    public (Language? Language, double Score)? TryTop(string text, bool[]? among, int minCleanChars)
    {
        var s = _scratch ??= new Scratch();
        var clean = s.Clean(text);
        if (clean.Length < Math.Max(3, minCleanChars)) return null;
        int words = 0, nonAsciiLetters = 0, asciiWords = 0;
        var inWord = false;
        var wordAscii = true;
        for (var i = 0; i <= clean.Length; i++)
        {
            var c = i < clean.Length ? clean[i] : ' ';
            if (c == ' ')
            {
                if (inWord) { words++; if (wordAscii) asciiWords++; }
                inWord = false;
                wordAscii = true;
                continue;
            }
            inWord = true;
            if (c is >= 'a' and <= 'z') continue;
            wordAscii = false;
            if (c < '\x80') continue;
            if (char.IsLetter(c))
            {
                if (!IsLatinLetter(c)) return null;
                nonAsciiLetters++;
            }
            else if (!IsScriptlessSymbol(c)) return null;
        }
        if (asciiWords == 0 || 2 * nonAsciiLetters >= words) return null;

        var seen = s.Trigrams;
        seen.Clear();
        for (var i = 0; i + 3 <= clean.Length; i++)
        {
            char a = clean[i], b = clean[i + 1], c = clean[i + 2];
            if (char.IsLetter(a) && char.IsLetter(b) && char.IsLetter(c)) seen.Add(Key(a, b, c));
        }

        var n = _languages.Length;
        var sums = s.Sums(n);
        var values = s.Values(n);
        Array.Clear(sums);
        foreach (var key in seen)
        {
            var prefix = (uint)(key >> 16);
            var rowStart = _bigramRows.TryGetValue(prefix, out var br) ? br * n
                : _unigramRows.TryGetValue((char)(key >> 32), out var ur) ? ur * n : -1;
            if (!_trigrams.TryGetValue(key, out var entries))
            {
                if (rowStart >= 0) AddTo(sums, _rows.AsSpan(rowStart, n));
                continue;
            }
            if (rowStart >= 0) _rows.AsSpan(rowStart, n).CopyTo(values);
            else Array.Clear(values);
            for (var e = entries.Start; e < entries.Start + entries.Count; e++) values[_trigramLanguage[e]] = _trigramLogP[e];
            AddTo(sums, values);
        }

        // Lingua keeps the languages whose sum is below 0, turns each sum into exp(sum) and normalises; when every
        // exp underflows, the language with the highest sum gets 1.
        int best = -1, second = -1;
        double denominator = 0;
        var scored = 0;
        for (var l = 0; l < n; l++)
        {
            if (among is not null && !among[l]) continue;
            scored++;
            if (sums[l] >= 0) continue;
            denominator += Math.Exp(sums[l]);
            if (best < 0 || sums[l] > sums[best]) { second = best; best = l; }
            else if (second < 0 || sums[l] > sums[second]) second = l;
        }
        if (scored == 0) return null;
        if (best < 0) return (null, 0);
        // One Latin-script language left by Lingua's alphabet rule is the answer, before any n-gram is scored.
        if (scored == 1) return (_languages[best], 1.0);
        // Summation order differs from Lingua's, so a near tie is left to Lingua.
        if (second >= 0 && sums[best] - sums[second] < 1e-9 * Math.Abs(sums[best])) return null;
        var score = denominator == 0 ? 1.0 : Math.Exp(sums[best]) / denominator;
        return (_languages[best], score);
    }

    /// <summary>A mask over <see cref="Languages"/>: true for each of <paramref name="languages"/>.</summary>
    public bool[] MaskOf(IEnumerable<Language> languages)
    {
        var set = languages.ToHashSet();
        return _languages.Select(set.Contains).ToArray();
    }

    /// <summary>Latin-script letters by Unicode block: ASCII, Latin-1, Extended-A/B, Extended Additional, Extended-C/D/E, full-width.</summary>
    private static bool IsLatinLetter(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or 'ª' or 'º'
            or (>= '\u00C0' and <= '\u024F' and not '\u00D7' and not '\u00F7')
            or (>= '\u1E00' and <= '\u1EFF') or (>= '\u2C60' and <= '\u2C7F') or (>= '\uA722' and <= '\uA7FF')
            or (>= '\uAB30' and <= '\uAB5A') or (>= '\uAB5C' and <= '\uAB64')
            or (>= '\uFF21' and <= '\uFF3A') or (>= '\uFF41' and <= '\uFF5A');

    private static void AddTo(Span<double> sums, ReadOnlySpan<double> values)
    {
        var i = 0;
        for (; i + Vector<double>.Count <= sums.Length; i += Vector<double>.Count)
            (new Vector<double>(sums[i..]) + new Vector<double>(values[i..])).CopyTo(sums[i..]);
        for (; i < sums.Length; i++) sums[i] += values[i];
    }

    /// <summary>
    /// Non-letters Lingua's rules never tie to one alphabet: Latin-1 and modifier symbols, combining marks, general
    /// punctuation and symbol blocks, variation selectors, surrogates (emoji). Anything else sends the text to Lingua.
    /// </summary>
    private static bool IsScriptlessSymbol(char c) =>
        c is (>= '\u0080' and <= '\u036F') or (>= '\u2000' and <= '\u2BFF') or (>= '\uD800' and <= '\uDFFF')
            or (>= '\uFE00' and <= '\uFE0F') or '\uFEFF' or '\uFFFD';

    private static ulong Key(char a, char b, char c) => ((ulong)a << 32) | ((ulong)b << 16) | c;

    private static string? ModelDirectory()
    {
        foreach (var root in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var dir = Path.Combine(root, "Lingua", "LanguageModels");
            if (Directory.Exists(dir)) return dir;
        }
        return null;
    }

    /// <summary>Builds the fused table from Lingua's unigram, bigram and trigram files of every Latin-script language.</summary>
    public static LatinTrigramScreen Load(string modelDirectory)
    {
        var languages = LanguageInfo.AllWithLatinScript().OrderBy(l => l).ToArray();
        if (languages.Length > byte.MaxValue) throw new InvalidOperationException("more Latin-script languages than the screen's index holds");
        var n = languages.Length;
        var models = new List<(ulong Key, double LogP)>[n, 3];
        Parallel.For(0, n * 3, job =>
        {
            var (l, order) = (job / 3, job % 3 + 1);
            var name = order switch { 1 => "unigrams", 2 => "bigrams", _ => "trigrams" };
            var dir = Path.Combine(modelDirectory, LanguageInfo.IsoCode6391(languages[l]).ToString().ToLowerInvariant());
            models[l, order - 1] = ReadModel(Path.Combine(dir, name + ".json.br"), order);
        });

        // Rows: one per unigram and bigram seen in any language, log p per language with the back-off applied.
        var unigramRows = new Dictionary<char, int>();
        for (var l = 0; l < n; l++)
            foreach (var (key, _) in models[l, 0]) unigramRows.TryAdd((char)key, unigramRows.Count);
        var bigramRows = new Dictionary<uint, int>();
        for (var l = 0; l < n; l++)
            foreach (var (key, _) in models[l, 1]) bigramRows.TryAdd((uint)key, unigramRows.Count + bigramRows.Count);
        var rows = new double[(unigramRows.Count + bigramRows.Count) * n];
        for (var l = 0; l < n; l++)
        {
            foreach (var (key, logP) in models[l, 0]) rows[unigramRows[(char)key] * n + l] = logP;
            foreach (var (key, row) in bigramRows)
                if (unigramRows.TryGetValue((char)(key >> 16), out var ur)) rows[row * n + l] = rows[ur * n + l];
            foreach (var (key, logP) in models[l, 1]) rows[bigramRows[(uint)key] * n + l] = logP;
        }

        // Trigrams: every (trigram, language, log p) sorted by trigram, so each trigram's languages are one run.
        var total = 0;
        for (var l = 0; l < n; l++) total += models[l, 2].Count;
        var keys = new ulong[total];
        var entries = new (byte Language, double LogP)[total];
        var at = 0;
        for (var l = 0; l < n; l++)
            foreach (var (key, logP) in models[l, 2]) { keys[at] = key; entries[at++] = ((byte)l, logP); }
        Array.Sort(keys, entries);
        var trigramLanguage = new byte[total];
        var trigramLogP = new double[total];
        var index = new Dictionary<ulong, (int, int)>();
        for (var i = 0; i < total;)
        {
            var j = i;
            while (j < total && keys[j] == keys[i]) { trigramLanguage[j] = entries[j].Language; trigramLogP[j] = entries[j].LogP; j++; }
            index[keys[i]] = (i, j - i);
            i = j;
        }
        return new LatinTrigramScreen(languages, unigramRows, bigramRows, rows, index, trigramLanguage, trigramLogP);
    }

    /// <summary>
    /// A Lingua model file, brotli-compressed JSON {"language": ..., "ngrams": {"num/den": "ngram ngram ..."}}, as
    /// (n-gram packed 16 bits a char, ln p) for the n-grams of <paramref name="order"/> characters.
    /// </summary>
    private static List<(ulong Key, double LogP)> ReadModel(string path, int order)
    {
        var result = new List<(ulong, double)>();
        if (!File.Exists(path)) return result;
        byte[] json;
        using (var brotli = new BrotliStream(File.OpenRead(path), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            brotli.CopyTo(buffer);
            json = buffer.ToArray();
        }
        var reader = new Utf8JsonReader(json);
        var inNgrams = false;
        Span<char> chars = stackalloc char[order];
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (!inNgrams)
            {
                if (reader.ValueTextEquals("ngrams"u8)) inNgrams = true;
                else reader.Skip();
                continue;
            }
            var fraction = reader.ValueSpan;
            var slash = fraction.IndexOf((byte)'/');
            if (slash <= 0 || !System.Buffers.Text.Utf8Parser.TryParse(fraction[..slash], out double numerator, out _)
                || !System.Buffers.Text.Utf8Parser.TryParse(fraction[(slash + 1)..], out int denominator, out _))
                throw new InvalidDataException($"{path}: '{reader.GetString()}' is not a fraction");
            var logP = Math.Log(numerator / denominator);
            reader.Read();
            var text = reader.GetString()!;
            foreach (var range in text.AsSpan().Split(' '))
            {
                var ngram = text.AsSpan(range);
                if (ngram.Length != order) continue;
                ulong key = 0;
                foreach (var c in ngram) key = (key << 16) | c;
                result.Add((key, logP));
            }
        }
        if (!inNgrams) throw new InvalidDataException($"{path}: a Lingua language model needs an \"ngrams\" object");
        return result;
    }

    /// <summary>Per-thread buffers, so a screen call allocates nothing once warm.</summary>
    private sealed class Scratch
    {
        private char[] _clean = new char[1024];
        private double[] _sums = [];
        private double[] _values = [];
        public readonly HashSet<ulong> Trigrams = new();

        public double[] Sums(int n) => _sums.Length == n ? _sums : _sums = new double[n];
        public double[] Values(int n) => _values.Length == n ? _values : _values = new double[n];

        /// <summary>
        /// Lingua's CleanUpInputText: trim, lower case (invariant), drop \p{P} and \p{N}, then every \s+ run becomes
        /// one space.
        /// </summary>
        public ReadOnlySpan<char> Clean(string text)
        {
            var trimmed = text.AsSpan().Trim();
            if (_clean.Length < trimmed.Length) _clean = new char[trimmed.Length];
            var length = 0;
            var inSpace = false;
            foreach (var ch in trimmed)
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(ch);
                if (category is >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherPunctuation
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
                    or UnicodeCategory.OtherNumber)
                    continue;
                if (IsRegexSpace(ch, category))
                {
                    if (!inSpace) _clean[length++] = ' ';
                    inSpace = true;
                    continue;
                }
                inSpace = false;
                _clean[length++] = char.ToLowerInvariant(ch);
            }
            return _clean.AsSpan(0, length);
        }

        // .NET's \s: [\f\n\r\t\v\x85\p{Z}].
        private static bool IsRegexSpace(char ch, UnicodeCategory category) =>
            ch is '\f' or '\n' or '\r' or '\t' or '\v' or '\x85'
            || category is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator;
    }
}
