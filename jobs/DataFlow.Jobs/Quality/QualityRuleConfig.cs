using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.LanguageId;
using DataFlow.Text.Quality;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// Reads a quality rule list (<c>rules: [{type: gopher_quality, min_doc_words: 50}, ...]</c>) into validated
/// options at build time and returns a factory, since rules keep scratch buffers and each task needs its own chain.
/// A threshold set to <c>null</c> switches that check off. Key names follow datatrove's parameters.
/// </summary>
public static class QualityRuleConfig
{
    public static readonly string[] RuleTypes = ["language", "gopher_repetition", "gopher_quality", "c4", "c4_badwords", "fineweb"];

    /// <summary>Values of the <c>compat</c> key: whose definitions the rules follow (<see cref="QualityCompat"/>).</summary>
    public static readonly string[] CompatModes = ["dataflow", "datatrove"];

    /// <summary>The <c>compat</c> key of a quality section or preset: dataflow (default) or datatrove.</summary>
    public static QualityCompat? ReadCompat(ConfigSection s) => s.GetString("compat") switch
    {
        null => null,
        "dataflow" => QualityCompat.DataFlow,
        "datatrove" => QualityCompat.Datatrove,
        var other => throw s.Error("compat", $"unknown compatibility mode '{other}' (known: {string.Join(", ", CompatModes)})"),
    };

    /// <param name="languageId">The quality stage's <c>language_id</c> section: the identifier of every language rule that names none itself.</param>
    public static Func<QualityRuleChain> Read(IReadOnlyList<ConfigSection> rules, PipelineSettings settings, QualityCompat compat = QualityCompat.DataFlow,
        ConfigSection? languageId = null)
    {
        var factories = new List<Func<IQualityRule>>();
        foreach (var rule in rules)
        {
            var type = rule.RequireString("type");
            factories.Add(type switch
            {
                "language" => Language(rule, settings, languageId),
                "gopher_repetition" => GopherRepetition(rule),
                "gopher_quality" => GopherQuality(rule),
                "c4" => C4(rule),
                "c4_badwords" => BadWords(rule, settings),
                "fineweb" => FineWeb(rule),
                _ => throw rule.Error("type", $"unknown quality rule '{type}' (known: {string.Join(", ", RuleTypes)})"),
            });
            rule.EnsureAllKeysUsed();
        }
        return () => new QualityRuleChain(factories.Select(f => f()).ToList(), compat);
    }

    /// <summary>Keys of the Lingua identifier that a fastText model has no use for.</summary>
    private static readonly string[] LinguaOnlyKeys = ["low_accuracy", "preload", "screen_chars", "paragraph_level", "min_paragraph_chars"];

    private static Func<IQualityRule> Language(ConfigSection s, PipelineSettings settings, ConfigSection? stageLanguageId)
    {
        var languageId = s.GetSection("language_id") ?? stageLanguageId;
        if (languageId is not null) return FastTextLanguage(s, languageId, settings);
        var defaults = new LanguageIdentifierOptions();
        var identifier = new LanguageIdentifierOptions
        {
            Languages = s.GetStringList("languages") ?? defaults.Languages,
            LowAccuracy = s.GetBool("low_accuracy", defaults.LowAccuracy),
            Preload = s.GetBool("preload", defaults.Preload),
            MaxChars = s.GetInt("max_chars", defaults.MaxChars, 0),
            SampleSlices = s.GetInt("sample_slices", defaults.SampleSlices, 1, 1000),
            ParagraphLevel = s.GetBool("paragraph_level", defaults.ParagraphLevel),
            MinParagraphChars = s.GetInt("min_paragraph_chars", defaults.MinParagraphChars, 0),
            Absolute = s.GetBool("absolute", defaults.Absolute),
            ScreenChars = s.GetInt("screen_chars", defaults.ScreenChars, 0),
        };
        var options = new LanguageRuleOptions
        {
            Keep = s.GetStringList("keep") ?? new LanguageRuleOptions().Keep,
            MinScore = s.GetDouble("min_score", new LanguageRuleOptions().MinScore, 0, 1),
            Identifier = identifier,
        };
        foreach (var code in options.Keep.Concat(identifier.Languages))
        {
            try { LanguageIdentifier.ParseCode(code); }
            catch (ArgumentException e) { throw s.Error(options.Keep.Contains(code) ? "keep" : "languages", e.Message); }
        }
        if (identifier.Languages.Count == 1 && !identifier.Absolute)
            throw s.Error("languages", "with absolute: false list at least two candidate languages (or none for all): one language scored against itself alone is always that language");
        foreach (var code in options.Keep)
            if (identifier.Languages.Count > 0 && !identifier.Languages.Contains(code, StringComparer.OrdinalIgnoreCase))
                throw s.Error("keep", $"'{code}' is not among 'languages' ({string.Join(", ", identifier.Languages)})");
        return () => new LanguageRule(options);
    }

    /// <summary>
    /// <c>language_id: {model: PATH}</c>: a fastText LID model instead of Lingua, with the same <c>keep</c>,
    /// <c>min_score</c>, <c>languages</c> (default: every label of the model), <c>absolute</c>, <c>max_chars</c> and
    /// <c>sample_slices</c>. The model is loaded once and shared by every task's rule (it is thread safe).
    /// </summary>
    private static Func<IQualityRule> FastTextLanguage(ConfigSection s, ConfigSection languageId, PipelineSettings settings)
    {
        foreach (var key in LinguaOnlyKeys)
            if (s.Has(key)) throw s.Error(key, "is an option of Lingua; this rule identifies languages with the fastText model of 'language_id'");
        var model = FastTextModelFile.Load(languageId, "model", settings);
        languageId.EnsureAllKeysUsed();
        var defaults = new LanguageIdentifierOptions();
        var identifierOptions = new LanguageIdentifierOptions
        {
            Languages = s.GetStringList("languages") ?? [],
            MaxChars = s.GetInt("max_chars", defaults.MaxChars, 0),
            SampleSlices = s.GetInt("sample_slices", defaults.SampleSlices, 1, 1000),
            Absolute = s.GetBool("absolute", defaults.Absolute),
        };
        var options = new LanguageRuleOptions
        {
            Keep = s.GetStringList("keep") ?? new LanguageRuleOptions().Keep,
            MinScore = s.GetDouble("min_score", new LanguageRuleOptions().MinScore, 0, 1),
            Identifier = identifierOptions,
        };
        FastTextLanguageIdentifier identifier;
        try { identifier = new FastTextLanguageIdentifier(model, identifierOptions); }
        catch (ArgumentException e) { throw s.Error("languages", e.Message); }
        try { _ = new LanguageRule(options, identifier); }
        catch (ArgumentException e) { throw s.Error("keep", e.Message); }
        return () => new LanguageRule(options, new FastTextLanguageIdentifier(model, identifierOptions));
    }

    private static Func<IQualityRule> GopherRepetition(ConfigSection s)
    {
        var d = new GopherRepetitionOptions();
        var options = new GopherRepetitionOptions
        {
            MaxDuplicateLineFraction = Fraction(s, "dup_line_frac", d.MaxDuplicateLineFraction),
            IgnoreBlankLines = s.GetBool("ignore_blank_lines", d.IgnoreBlankLines),
            MaxDuplicateParagraphFraction = Fraction(s, "dup_para_frac", d.MaxDuplicateParagraphFraction),
            MaxDuplicateLineCharFraction = Fraction(s, "dup_line_char_frac", d.MaxDuplicateLineCharFraction),
            MaxDuplicateParagraphCharFraction = Fraction(s, "dup_para_char_frac", d.MaxDuplicateParagraphCharFraction),
            TopNGrams = NGramTable(s, "top_n_grams", d.TopNGrams),
            DuplicateNGrams = NGramTable(s, "dup_n_grams", d.DuplicateNGrams),
        };
        return () => new GopherRepetitionRule(options);
    }

    private static Func<IQualityRule> GopherQuality(ConfigSection s)
    {
        var d = new GopherQualityOptions();
        var options = new GopherQualityOptions
        {
            MinWords = Count(s, "min_doc_words", d.MinWords),
            MaxWords = Count(s, "max_doc_words", d.MaxWords),
            MinMeanWordLength = Number(s, "min_avg_word_length", d.MinMeanWordLength),
            MaxMeanWordLength = Number(s, "max_avg_word_length", d.MaxMeanWordLength),
            MaxSymbolWordRatio = Number(s, "max_symbol_word_ratio", d.MaxSymbolWordRatio),
            MaxBulletLinesRatio = Fraction(s, "max_bullet_lines_ratio", d.MaxBulletLinesRatio),
            MaxEllipsisLinesRatio = Fraction(s, "max_ellipsis_lines_ratio", d.MaxEllipsisLinesRatio),
            MinAlphaWordsRatio = Fraction(s, "min_alpha_words_ratio", d.MinAlphaWordsRatio),
            MinStopWords = Count(s, "min_stop_words", d.MinStopWords),
            StopWords = s.GetStringList("stop_words") ?? d.StopWords,
        };
        return () => new GopherQualityRule(options);
    }

    private static Func<IQualityRule> C4(ConfigSection s)
    {
        var d = new C4QualityOptions();
        var options = new C4QualityOptions
        {
            RemoveCitations = s.GetBool("remove_citations", d.RemoveCitations),
            FilterNoTerminalPunctuation = s.GetBool("filter_no_terminal_punct", d.FilterNoTerminalPunctuation),
            TerminalPunctuation = s.GetString("terminal_punctuation", d.TerminalPunctuation)!,
            MinSentences = s.GetInt("min_num_sentences", d.MinSentences, -1),
            MinWordsPerLine = s.GetInt("min_words_per_line", d.MinWordsPerLine, -1),
            MaxWordLength = s.GetInt("max_word_length", d.MaxWordLength, -1),
            FilterLoremIpsum = s.GetBool("filter_lorem_ipsum", d.FilterLoremIpsum),
            FilterJavascript = s.GetBool("filter_javascript", d.FilterJavascript),
            FilterCurlyBracket = s.GetBool("filter_curly_bracket", d.FilterCurlyBracket),
            FilterPolicy = s.GetBool("filter_policy", d.FilterPolicy),
        };
        if (options.TerminalPunctuation.Length == 0) throw s.Error("terminal_punctuation", "must list at least one character");
        return () => new C4QualityRule(options);
    }

    private static Func<IQualityRule> BadWords(ConfigSection s, PipelineSettings settings)
    {
        var words = new List<string>(s.GetStringList("words") ?? []);
        if (s.GetString("file") is { } file)
        {
            var path = settings.Resolve(file);
            if (!File.Exists(path)) throw s.Error("file", $"bad-words file '{path}' does not exist");
            words.AddRange(File.ReadAllLines(path));
        }
        if (words.Count == 0) throw s.Error("words", "give 'words' (a list) or 'file' (one word or phrase per line)");
        return () => new C4BadWordsRule(words);
    }

    private static Func<IQualityRule> FineWeb(ConfigSection s)
    {
        var d = new FineWebQualityOptions();
        var options = new FineWebQualityOptions
        {
            LinePunctuationThreshold = Fraction(s, "line_punct_thr", d.LinePunctuationThreshold),
            LinePunctuationExcludeZero = s.GetBool("line_punct_exclude_zero", d.LinePunctuationExcludeZero),
            ShortLineThreshold = Fraction(s, "short_line_thr", d.ShortLineThreshold),
            ShortLineLength = s.GetInt("short_line_length", d.ShortLineLength, 0),
            CharDuplicatesRatio = Fraction(s, "char_duplicates_ratio", d.CharDuplicatesRatio),
            NewLineRatio = Number(s, "new_line_ratio", d.NewLineRatio),
        };
        return () => new FineWebQualityRule(options);
    }

    /// <summary>True when the key is written with an explicit null (the check is switched off).</summary>
    private static bool IsOff(ConfigSection s, string key) => s.Has(key) && s.GetString(key) is null;

    private static double? Fraction(ConfigSection s, string key, double? fallback) =>
        IsOff(s, key) ? null : s.Has(key) ? s.GetDouble(key, 0, 0, 1) : fallback;

    private static double? Number(ConfigSection s, string key, double? fallback) =>
        IsOff(s, key) ? null : s.Has(key) ? s.GetDouble(key, 0, 0) : fallback;

    private static int? Count(ConfigSection s, string key, int? fallback) =>
        IsOff(s, key) ? null : s.Has(key) ? s.GetInt(key, 0, 0) : fallback;

    /// <summary>A mapping from n to a fraction ({2: 0.2, 3: 0.18}); an empty mapping switches all off.</summary>
    private static IReadOnlyList<(int N, double MaxFraction)> NGramTable(ConfigSection s, string key, IReadOnlyList<(int, double)> fallback)
    {
        // GetSection is null both for a missing key (defaults) and for an explicit null (all off).
        if (s.GetSection(key) is not { } table) return s.Has(key) ? [] : fallback;
        var result = new List<(int, double)>();
        foreach (var n in table.Keys.ToList())
        {
            if (!int.TryParse(n, out var size) || size is < 1 or > 64) throw table.Error(n, "n-gram size must be an integer from 1 to 64");
            result.Add((size, table.GetDouble(n, 0, 0, 1)));
        }
        return result.OrderBy(t => t.Item1).ToList();
    }
}
