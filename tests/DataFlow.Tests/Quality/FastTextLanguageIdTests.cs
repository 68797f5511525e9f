using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using DataFlow.Tests.Classification;
using DataFlow.Tests.Classify;
using DataFlow.Text.LanguageId;

namespace DataFlow.Tests.Quality;

/// <summary>
/// <c>language_id: {model}</c> in the quality stage with a language-ID model trained by `fasttext supervised` on man
/// pages in twelve languages (scripts/make-classifier-fixtures.sh), judged on held-out pages: the keep / drop decision
/// equals the fastText CLI's top label and probability on each document, and matches the package's language.
/// </summary>
[Collection(ClassifierCollection.Name)]
public sealed class FastTextLanguageIdTests : IDisposable
{
    private readonly ClassifierFixture _fixture;
    private readonly TempDir _dir = new();
    private readonly List<LabelledDocuments.Doc> _docs;

    public FastTextLanguageIdTests(ClassifierFixture fixture)
    {
        _fixture = fixture;
        _docs = LabelledDocuments.Read(fixture.File("lang.test"), 4);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Trains on lang.train, with each label renamed by <paramref name="rename"/> (GlotLID-style labels).</summary>
    private string Train(Func<string, string>? rename = null)
    {
        var train = _fixture.File("lang.train");
        if (rename is not null)
        {
            var renamed = _dir.File($"renamed-{Guid.NewGuid():N}.train");
            File.WriteAllLines(renamed, File.ReadAllLines(train).Select(l =>
                "__label__" + rename(l[9..l.IndexOf(' ')]) + l[l.IndexOf(' ')..]));
            train = renamed;
        }
        var model = Path.Combine(_fixture.NewFolder(), "lid");
        FastTextCli.Run("supervised", "-input", train, "-output", model, "-epoch", "25", "-lr", "1.0", "-dim", "16", "-minn", "2", "-maxn", "4",
            "-bucket", "200000", "-thread", "1", "-verbose", "0");
        return model + ".bin";
    }

    private HashSet<string> Kept(string model, string ruleKeys, string stageKeys = "")
    {
        var folder = _dir.File(Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var input = Path.Combine(folder, "in.jsonl");
        LabelledDocuments.WriteJsonl(input, _docs);
        var pipeline = Path.Combine(folder, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            stages:
              - type: quality
                input: {input}
                tasks: 2
            {stageKeys}
                rules:
                  - type: language
            {ruleKeys}
            """);
        var session = RunSession.Create(pipeline, Path.Combine(folder, "run"));
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
        var outDir = session.Run.OutputDir(session.Pipeline.Stages[0]);
        return Directory.GetFiles(outDir, "part-*.parquet")
            .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects()))
            .Select(d => d.Id).ToHashSet();
    }

    /// <summary>What the fastText CLI decides: the top label's language in the kept set with probability >= min.</summary>
    private HashSet<string> CliKept(string model, string[] keepLabels, double minScore)
    {
        var lines = _dir.File($"cli-{Guid.NewGuid():N}.txt");
        LabelledDocuments.WriteFastTextLines(lines, _docs.Select(d => d.Text));
        var top = FastTextCli.PredictProb(model, lines, 1);
        Assert.Equal(_docs.Count, top.Count);
        return _docs.Where((d, i) => keepLabels.Contains(top[i][0].Label) && top[i][0].Probability >= minScore).Select(d => d.Id).ToHashSet();
    }

    private void AssertMostlyRight(HashSet<string> kept, params string[] languages)
    {
        var wanted = _docs.Where(d => languages.Contains(d.Label)).ToList();
        var others = _docs.Where(d => !languages.Contains(d.Label)).ToList();
        Assert.True(wanted.Count >= 10 && others.Count >= 50, $"fixture too small: {wanted.Count} wanted, {others.Count} others");
        // Package labels are noisy (translated pages keep English option names and examples): measured 13 of 16 English and 9 of 11 Japanese kept.
        Assert.True(wanted.Count(d => kept.Contains(d.Id)) >= 0.7 * wanted.Count, $"kept only {wanted.Count(d => kept.Contains(d.Id))} of {wanted.Count} [{string.Join(", ", languages)}] documents");
        Assert.True(others.Count(d => kept.Contains(d.Id)) <= 0.03 * others.Count, $"kept {others.Count(d => kept.Contains(d.Id))} of {others.Count} other documents");
    }

    [Fact]
    public void Keeps_english_and_english_plus_japanese_as_the_fasttext_cli_decides_on_each_held_out_page()
    {
        var model = Train();
        var english = Kept(model, "        keep: [en]\n        min_score: 0.5\n        max_chars: 0", $"    language_id: {{model: {model}}}");
        Assert.Equal(CliKept(model, ["__label__en"], 0.5), english);
        AssertMostlyRight(english, "en");

        // language_id on the rule itself; keep two languages.
        var two = Kept(model, $"        keep: [en, ja]\n        min_score: 0.5\n        max_chars: 0\n        language_id: {{model: {model}}}");
        Assert.Equal(CliKept(model, ["__label__en", "__label__ja"], 0.5), two);
        AssertMostlyRight(two, "en", "ja");

        // The default bounded sample (1000 characters in 3 slices) decides as well on these pages.
        AssertMostlyRight(Kept(model, "        keep: [en]\n        min_score: 0.5", $"    language_id: {{model: {model}}}"), "en");
    }

    [Fact]
    public void GlotLID_style_labels_are_mapped_to_iso_639_1_codes()
    {
        var iso3 = new Dictionary<string, string>
        {
            ["en"] = "eng_Latn", ["de"] = "deu_Latn", ["fr"] = "fra_Latn", ["es"] = "spa_Latn", ["nl"] = "nld_Latn", ["pl"] = "pol_Latn",
            ["sv"] = "swe_Latn", ["cs"] = "ces_Latn", ["ja"] = "jpn_Jpan", ["ru"] = "rus_Cyrl", ["hu"] = "hun_Latn", ["fi"] = "fin_Latn",
        };
        var model = Train(code => iso3[code]);
        var kept = Kept(model, "        keep: [en]\n        min_score: 0.5\n        max_chars: 0", $"    language_id: {{model: {model}}}");
        Assert.Equal(CliKept(model, ["__label__eng_Latn"], 0.5), kept);
        AssertMostlyRight(kept, "en");
    }

    [Theory]
    [InlineData("__label__en", "en")]            // lid.176
    [InlineData("__label__eng_Latn", "en")]      // GlotLID: ISO 639-3 eng = ISO 639-1 en
    [InlineData("__label__zho_Hans", "zh")]
    [InlineData("__label__cmn_Hani", "zh")]      // Mandarin, an individual language of the macrolanguage zh
    [InlineData("__label__rus_Cyrl", "ru")]
    [InlineData("__label__srp_Latn", "sr")]
    [InlineData("__label__gsw_Latn", "gsw_Latn")]  // Swiss German: no ISO 639-1 code, kept as given
    [InlineData("__label__als", "als")]          // lid.176's Alemannic (a Wikipedia code, not ISO 639-3 als = Tosk Albanian)
    [InlineData("__label__arz", "arz")]
    public void Labels_map_to_iso_639_1_where_it_has_the_language(string label, string code) =>
        Assert.Equal(code, FastTextLanguageLabel.ToCode(label));

    [Fact]
    public void Config_errors_name_the_key()
    {
        var model = Train();
        File.WriteAllText(_dir.File("x.jsonl"), "{\"id\": \"a\", \"text\": \"t\"}\n");
        string Error(string keys) => Assert.Throws<ConfigException>(() => PipelineLoader.Load($"""
            stages:
              - type: quality
                input: x.jsonl
            {keys}
            """, "p.yaml", StandardStages.Create(), _dir.Path)).Message;
        var missing = Error("    language_id: {model: lid/none.bin}\n    rules:\n      - type: language");
        Assert.Contains("language_id.model'", missing);
        Assert.Contains("does not exist", missing);
        Assert.Contains("keep'", Error($"    language_id: {{model: {model}}}\n    rules:\n      - type: language\n        keep: [zh]"));
        Assert.Contains("languages'", Error($"    language_id: {{model: {model}}}\n    rules:\n      - type: language\n        languages: [en, ko]"));
        Assert.Contains("option of Lingua", Error($"    language_id: {{model: {model}}}\n    rules:\n      - type: language\n        low_accuracy: true"));
        Assert.Contains("no 'language' rule", Error($"    language_id: {{model: {model}}}\n    rules:\n      - type: c4"));
        Assert.Contains("missing required key 'stages[0].language_id.model'", Error($"    language_id: {{modle: {model}}}\n    rules:\n      - type: language"));
    }
}
