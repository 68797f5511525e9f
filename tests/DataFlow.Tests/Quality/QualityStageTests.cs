using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Quality;

namespace DataFlow.Tests.Quality;

public sealed class QualityStageTests : IDisposable
{
    private const string Good =
        "The river town woke slowly under a grey sky that morning. Fishermen pulled their boats onto the stony beach and " +
        "talked about the weather with the baker. Children ran along the harbour wall, shouting to each other over the wind. " +
        "An old woman sold apples and warm bread from a wooden cart near the church. By noon the clouds had lifted and the " +
        "market square was full of visitors from the valley. Everyone agreed that it was the best day of the season so far.";

    private const string German =
        "Der Fluss floss langsam durch das kleine Dorf am Rande des Waldes. Die Fischer zogen ihre Boote auf den steinigen " +
        "Strand und sprachen mit dem Bäcker über das Wetter. Kinder liefen an der Hafenmauer entlang und riefen einander zu. " +
        "Eine alte Frau verkaufte Äpfel und warmes Brot aus einem hölzernen Wagen neben der Kirche. Am Mittag hatten sich " +
        "die Wolken verzogen und der Marktplatz war voller Besucher. Alle waren sich einig, dass es der schönste Tag war.";

    private readonly string _dir = Directory.CreateTempSubdirectory("dataflow-quality-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Line(string id, string text) => JsonSerializer.Serialize(new { id, text });

    private (RunFolder Run, string OutDir) RunPipeline(string stageYaml)
    {
        File.WriteAllLines(Path.Combine(_dir, "in.jsonl"),
        [
            Line("good", Good + "\r\n"),
            Line("short", "Write to jane.doe@example.com or call 555 123 4567 now."),
            Line("german", German),
            Line("boilerplate", Good + "\nvar x = { a: 1 };\nThis line has a curly { bracket and ends properly."),
        ]);
        var pipeline = Path.Combine(_dir, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            stages:
              - type: quality
                input: {Path.Combine(_dir, "in.jsonl")}
                tasks: 1
                keep_removed: true
            {stageYaml}
            """);
        var session = RunSession.Create(pipeline, Path.Combine(_dir, "run"));
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        return (session.Run, session.Run.OutputDir(session.Pipeline.Stages[0]));
    }

    private static List<Document> ReadShard(string path) =>
        DocumentSources.Read(path, ReadOptions.Default, new ThrowingRejects()).ToList();

    [Fact]
    public void Keeps_good_documents_writes_removed_with_reasons_and_counts_every_reason()
    {
        var (run, outDir) = RunPipeline("""
                rules:
                  - type: language
                    keep: [en]
                    languages: [en, de, fr]
                  - type: gopher_repetition
                  - type: gopher_quality
                  - type: c4
            """);
        var kept = ReadShard(Path.Combine(outDir, "part-00000.parquet"));
        Assert.Equal(["good"], kept.Select(d => d.Id));
        Assert.Equal("en", kept[0]["language"]);
        Assert.InRange((double)kept[0]["language_score"]!, 0.65, 1.0);
        Assert.Equal(Good + "\r\n", kept[0].Text);   // as written: the rules saw it normalized, the CRLF stays

        var removed = ReadShard(Path.Combine(outDir, "removed", "part-00000.parquet")).ToDictionary(d => d.Id, d => (string)d["reason"]!);
        Assert.Equal("gopher_quality.too_few_words", removed["short"]);
        Assert.Equal("language.not_kept", removed["german"]);
        Assert.Equal("c4.curly_bracket", removed["boilerplate"]);

        var stats = TaskStats.Load(run.TaskStatsFile("quality", 0));
        Assert.Equal(4, stats.Counter("docs_in"));
        Assert.Equal(1, stats.Counter("docs_out"));
        Assert.Equal(1, stats.Counter("dropped.language.not_kept"));
        Assert.True(stats.Counters.ContainsKey("dropped.fineweb.list_ratio") is false);
        Assert.True(stats.Counters.ContainsKey("dropped.gopher_repetition.top_2_gram"));   // zero, but listed
        Assert.Equal(3, stats.Counter("language.en"));
        Assert.Equal(1, stats.Counter("language.de"));
        var example = Assert.Single(stats.Examples["dropped.gopher_quality.too_few_words"]);
        Assert.DoesNotContain("jane.doe", example);
        Assert.DoesNotContain("4567", example);
        Assert.Contains("<EMAIL>", example);
    }

    [Fact]
    public void Presets_build_and_the_english_preset_runs()
    {
        foreach (var name in new[] { "gopher", "c4", "fineweb", "english", "chinese" })
            Assert.Contains(name, QualityPresets.Names);
        var (_, outDir) = RunPipeline("    preset: english");
        Assert.Contains("good", ReadShard(Path.Combine(outDir, "part-00000.parquet")).Select(d => d.Id));
    }

    [Fact]
    public void Every_preset_file_runs_as_the_config_of_the_quality_command()
    {
        var conf = FindUp(AppContext.BaseDirectory, Path.Combine("conf", "quality"))
            ?? throw new InvalidOperationException("conf/quality not found above the test binaries");
        File.WriteAllLines(Path.Combine(_dir, "in.jsonl"), [Line("good", Good)]);
        // Recipes that are whole pipelines (dclm-style.yaml trains a classifier first) run with `dataflow run`.
        var presets = Directory.GetFiles(conf, "*.yaml").Where(f => !File.ReadLines(f).Any(l => l.StartsWith("stages:", StringComparison.Ordinal))).ToArray();
        Assert.NotEmpty(presets);
        Assert.Equal(presets.Select(Path.GetFileNameWithoutExtension).Order(), QualityPresets.Names.Order());
        foreach (var preset in presets)
        {
            var output = Path.Combine(_dir, Path.GetFileNameWithoutExtension(preset));
            var result = CliProcess.Run(_dir, "quality", "-i", "in.jsonl", "-o", output, "--config", preset);
            Assert.True(result.ExitCode == 0, $"{preset}: {result.Stderr}");
        }
    }

    private static string? FindUp(string start, string relative)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return null;
    }

    [Fact]
    public void Config_errors_name_the_key()
    {
        File.WriteAllText(Path.Combine(_dir, "x.jsonl"), Line("a", "text") + "\n");
        string Error(string rules) => Assert.Throws<ConfigException>(() => PipelineLoader.Load($"""
            stages:
              - type: quality
                input: x.jsonl
            {rules}
            """, "p.yaml", StandardStages.Create(), _dir)).Message;

        Assert.Contains("unknown quality rule 'gopher'", Error("    rules:\n      - type: gopher"));
        Assert.Contains("min_doc_wrds", Error("    rules:\n      - type: gopher_quality\n        min_doc_wrds: 3"));
        Assert.Contains("either 'preset' or 'rules'", Error("    preset: c4\n    rules:\n      - type: c4"));
        Assert.Contains("unknown quality preset", Error("    preset: nope"));
        Assert.Contains("unknown ISO 639-1", Error("    rules:\n      - type: language\n        keep: [xx]"));
        Assert.Contains("out of range", Error("    rules:\n      - type: fineweb\n        short_line_thr: 2"));
        Assert.Contains("with absolute: false", Error("    rules:\n      - type: language\n        languages: [en]\n        absolute: false"));
        Assert.Contains("not a rewrite mode", Error("    rewrite: normal\n    rules:\n      - type: c4"));
        Assert.Contains("unknown compatibility mode 'spacy' (known: dataflow, datatrove)", Error("    preset: c4\n    compat: spacy"));
    }

    [Fact]
    public void Compat_datatrove_switches_the_rules_definitions_and_reads_the_text_as_written()
    {
        // "Good" has "the" and "and" in lower case; datatrove's case-sensitive stop words see them too, so it is kept
        // in both modes; its trailing CRLF stays in datatrove mode (no normalization before datatrove's filters).
        var (_, outDir) = RunPipeline("    compat: datatrove\n    rules:\n      - type: gopher_quality");
        var kept = ReadShard(Path.Combine(outDir, "part-00000.parquet"));
        Assert.Equal(Good + "\r\n", kept.Single(d => d.Id == "good").Text);
        // Through the CLI flag: the same stage, with --compat.
        var result = CliProcess.Run(_dir, "quality", "-i", "in.jsonl", "-o", Path.Combine(_dir, "cli"), "--preset", "gopher", "--compat", "datatrove");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var bad = CliProcess.Run(_dir, "quality", "-i", "in.jsonl", "-o", Path.Combine(_dir, "cli2"), "--preset", "gopher", "--compat", "nltk");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("compat", bad.Stderr);
    }

    [Fact]
    public void Null_switches_a_threshold_off()
    {
        File.WriteAllText(Path.Combine(_dir, "x.jsonl"), Line("a", "text") + "\n");
        var pipeline = PipelineLoader.Load("""
            stages:
              - type: quality
                input: x.jsonl
                rules:
                  - type: gopher_quality
                    min_doc_words: null
                  - type: gopher_repetition
                    top_n_grams: {2: 0.5}
            """, "p.yaml", StandardStages.Create(), _dir);
        Assert.Equal("quality", pipeline.Stages[0].Type);
    }

    [Fact]
    public void Chinese_preset_keeps_chinese_prose_and_drops_english()
    {
        var chain = QualityRuleConfig.Read(QualityPresets.Load("chinese").GetSectionList("rules"), new PipelineSettings())();
        const string chinese =
            "今天早上，小镇在灰色的天空下慢慢醒来。渔民们把船拉上石头海滩，和面包师聊起了天气。孩子们沿着港口的围墙奔跑，在风中互相呼喊。" +
            "一位老妇人在教堂旁边的木车上卖苹果和热面包。到了中午，云散了，集市广场上挤满了来自山谷的游客。大家都说，这是这个季节到目前为止最好的一天。" +
            "晚上，人们在河边点起了灯，唱歌跳舞直到深夜。";
        var (verdict, analyzed) = chain.Check(chinese);
        Assert.True(verdict.IsKept, verdict.ToString());
        Assert.Equal("zh", analyzed.Language);
        Assert.Equal("language.not_kept", chain.Check(Good).Verdict.DropReason);

        // The English preset drops the same Chinese text: one character per word is below the 3-letter mean.
        var english = QualityRuleConfig.Read(QualityPresets.Load("english").GetSectionList("rules"), new PipelineSettings())();
        Assert.Equal("gopher_quality.mean_word_length_low", english.Check(chinese).Verdict.DropReason);
    }

    private sealed class ThrowingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidOperationException(reject.ToString());
    }
}
