using System.Globalization;
using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Report;
using DataFlow.Tests.Classification;

namespace DataFlow.Tests.Classify;

/// <summary>
/// The classify stage against the fastText CLI: a model trained by `fasttext supervised` on document-type labels
/// (changelog / copyright / readme paragraphs of /usr/share/doc, scripts/make-classifier-fixtures.sh) annotates
/// held-out documents; our columns must equal `fasttext predict-prob` on the same documents as lines.
/// </summary>
[Collection(ClassifierCollection.Name)]
public sealed class ClassifyStageTests : IDisposable
{
    private const double Printed = 1e-5;   // fastText prints 6 significant digits
    private readonly ClassifierFixture _fixture;
    private readonly TempDir _dir = new();
    private readonly string _model;
    private readonly List<LabelledDocuments.Doc> _docs;

    public ClassifyStageTests(ClassifierFixture fixture)
    {
        _fixture = fixture;
        _model = Path.Combine(fixture.NewFolder(), "doctype");
        FastTextCli.Run("supervised", "-input", fixture.File("doctype.train"), "-output", _model, "-epoch", "5", "-dim", "16",
            "-wordNgrams", "2", "-bucket", "100000", "-thread", "1", "-verbose", "0");
        _model += ".bin";
        // Whitespace as documents have it: blank lines between paragraphs, and in every third document CRLF line
        // ends and tabs (all of them one word separator to fastText).
        _docs = LabelledDocuments.Read(fixture.File("doctype.test"), 3)
            .Select((d, i) => i % 3 == 0 ? d with { Text = d.Text.Replace("\n\n", "\r\n\t\r\n").Replace(". ", ".\t ") } : d)
            .ToList();
    }

    public void Dispose() => _dir.Dispose();

    private (RunSession Session, string OutDir) Run(string stageKeys, IReadOnlyList<LabelledDocuments.Doc>? docs = null, string? name = null, int tasks = 2)
    {
        var folder = _dir.File(name ?? Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var input = Path.Combine(folder, "in.jsonl");
        LabelledDocuments.WriteJsonl(input, docs ?? _docs);
        var pipeline = Path.Combine(folder, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            stages:
              - type: classify
                input: {input}
                tasks: {tasks}
                keep_removed: true
                model: {_model}
            {stageKeys}
            """);
        var session = RunSession.Create(pipeline, Path.Combine(folder, "run"));
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
        return (session, session.Run.OutputDir(session.Pipeline.Stages[^1]));
    }

    private static List<Document> Read(string dir, string sub = "") =>
        Directory.Exists(Path.Combine(dir, sub))
            ? Directory.GetFiles(Path.Combine(dir, sub), "part-*.parquet").Order(StringComparer.Ordinal)
                .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new CollectingRejects())).ToList()
            : [];

    private List<List<(string Label, double Probability)>> CliAllLabels(IReadOnlyList<LabelledDocuments.Doc> docs)
    {
        var lines = _dir.File($"cli-{Guid.NewGuid():N}.txt");
        LabelledDocuments.WriteFastTextLines(lines, docs.Select(d => d.Text));
        return FastTextCli.PredictProb(_model, lines, -1);
    }

    private static double Probability(List<(string Label, double Probability)> predictions, string label) =>
        predictions.Where(p => p.Label == label).Select(p => p.Probability).DefaultIfEmpty(0).First();

    [Fact]
    public void Class_and_scores_equal_fasttext_predict_prob_and_min_score_keeps_by_the_labels_probability()
    {
        var (session, outDir) = Run("""
                keep: {label: readme, min_score: 0.5}
            """);
        var kept = Read(outDir);
        var removed = Read(outDir, "removed");
        Assert.Equal(_docs.Count, kept.Count + removed.Count);
        var cli = CliAllLabels(_docs);
        Assert.Equal(_docs.Count, cli.Count);
        var byId = kept.Concat(removed).ToDictionary(d => d.Id);
        var keptIds = kept.Select(d => d.Id).ToHashSet();
        var distinctLabels = new HashSet<string>();
        var keptCount = 0;
        for (var i = 0; i < _docs.Count; i++)
        {
            var doc = byId[_docs[i].Id];
            var expected = cli[i];
            Assert.Equal(expected[0].Label, (string?)doc["class"]);
            Assert.Equal(expected[0].Probability, (double)doc["class_score"]!, Printed);
            var readme = Probability(expected, "__label__readme");
            Assert.Equal(readme, (double)doc["keep_score"]!, Printed);
            distinctLabels.Add(expected[0].Label);
            if (Math.Abs(readme - 0.5) < Printed) continue;
            Assert.True(readme >= 0.5 == keptIds.Contains(doc.Id), $"{doc.Id}: readme probability {readme}, kept: {keptIds.Contains(doc.Id)}");
            if (readme >= 0.5) keptCount++;
            else Assert.Equal("classifier:readme<0.5", (string?)doc["reason"]);
        }
        Assert.Equal(3, distinctLabels.Count);          // the model really separates the three types here
        Assert.InRange(keptCount, 1, _docs.Count - 1);   // and the rule both keeps and drops

        var stats = TaskRunner.StageStats(session.Run, StageManifest.Load(session.Run.ManifestFile("classify")));
        Assert.Equal(_docs.Count - kept.Count, stats.Counter("dropped.classifier:readme<0.5"));
        foreach (var label in distinctLabels)
        {
            var top = cli.Count(c => c[0].Label == label);
            Assert.Equal(top, stats.Counter("class." + label));
            Assert.Equal(top, Enumerable.Range(0, 20).Sum(b => stats.Counter($"class_score.{label}.{b * 5:D2}")));
        }
        var highReadme = cli.Count(c => Probability(c, "__label__readme") is >= 0.95 and < 1.5);
        Assert.Equal(highReadme, stats.Counter("keep_score.__label__readme.95"));

        // The run report draws the score distributions.
        var reportDir = _dir.File("report");
        var index = new RunReport(session.Run, session.Pipeline, s => s).Write(reportDir);
        var html = File.ReadAllText(index);
        Assert.Contains("classifier scores", html);
        Assert.Contains("top label __label__readme", html);
        Assert.Contains("kept label __label__readme, all documents", html);
    }

    [Fact]
    public void Min_score_keeps_a_document_at_the_threshold_and_drops_it_just_above()
    {
        var docs = _docs.Take(40).ToList();
        var cli = CliAllLabels(docs);
        // The document whose readme probability is the median: neither 0 nor 1.
        var median = Enumerable.Range(0, docs.Count).OrderBy(i => Probability(cli[i], "__label__readme")).ElementAt(docs.Count / 2);
        var annotated = Read(Run("", docs, tasks: 1).OutDir);
        Assert.Equal(docs.Count, annotated.Count);   // no keep rule: every document is kept, annotated
        Assert.DoesNotContain(annotated, d => d.Columns?.ContainsKey("keep_score") == true);
        var first = Read(Run("    keep: {label: __label__readme, min_score: 0}", docs, tasks: 1).OutDir);
        var score = (double)first.Single(d => d.Id == docs[median].Id)["keep_score"]!;
        Assert.Equal(Probability(cli[median], "__label__readme"), score, Printed);

        string Keys(double t) => $"    keep: {{label: readme, min_score: {t.ToString("R", CultureInfo.InvariantCulture)}}}";
        var at = Run(Keys(score), docs, tasks: 1).OutDir;
        Assert.Contains(docs[median].Id, Read(at).Select(d => d.Id));
        var above = Run(Keys(Math.BitIncrement(score)), docs, tasks: 1).OutDir;
        Assert.DoesNotContain(docs[median].Id, Read(above).Select(d => d.Id));
        Assert.Contains(docs[median].Id, Read(above, "removed").Select(d => d.Id));
        // Around it: the CLI's numbers decide every document further than its printing precision from the threshold.
        var keptAt = Read(at).Select(d => d.Id).ToHashSet();
        for (var i = 0; i < docs.Count; i++)
        {
            var p = Probability(cli[i], "__label__readme");
            if (Math.Abs(p - score) > Printed) Assert.Equal(p > score, keptAt.Contains(docs[i].Id));
        }
    }

    [Fact]
    public void Top_fraction_keeps_exactly_round_f_n_documents_highest_first_ties_in_input_order_across_tasks()
    {
        // Four different texts with clearly different readme probabilities (by the CLI), repeated: A x3, B x2, C x4, D x1.
        var cli = CliAllLabels(_docs);
        var candidates = Enumerable.Range(0, _docs.Count).Select(i => (Doc: _docs[i], P: Probability(cli[i], "__label__readme"))).ToList();
        var picked = new List<(LabelledDocuments.Doc Doc, double P)>();
        foreach (var c in candidates.OrderBy(c => c.P))
            if (picked.All(p => Math.Abs(p.P - c.P) > 0.02)) picked.Add(c);
        Assert.True(picked.Count >= 4, "the fixture needs four documents with different readme probabilities");
        var texts = new[] { picked[^1], picked[0], picked[picked.Count / 2], picked[1] };   // A: highest, B: lowest, C: middle, D: second lowest
        var copies = new[] { 3, 2, 4, 1 };
        // Task 0 reads the larger file a.jsonl, task 1 reads b.jsonl (files are dealt largest first).
        var a = new List<(string Id, int Group)>();
        var b = new List<(string Id, int Group)>();
        var order = new[] { 2, 0, 1, 2, 0, 3, 2, 0, 1, 2 };   // group of each document: 3 A, 2 B, 4 C, 1 D
        for (var i = 0; i < order.Length; i++) (i < 6 ? a : b).Add(($"{(i < 6 ? "a" : "b")}-{i}", order[i]));
        Assert.Equal(copies, Enumerable.Range(0, 4).Select(g => order.Count(o => o == g)).ToArray());
        var folder = _dir.File("top");
        Directory.CreateDirectory(folder);
        void Write(string file, List<(string Id, int Group)> rows) => File.WriteAllLines(Path.Combine(folder, file),
            rows.Select(r => JsonSerializer.Serialize(new { id = r.Id, text = texts[r.Group].Doc.Text, pad = file == "a.jsonl" ? new string('x', 5000) : "" })));
        Write("a.jsonl", a);
        Write("b.jsonl", b);
        var inputOrder = a.Concat(b).ToList();
        // By hand: documents ranked by the CLI's probability, equal ones in input order (task 0 first), the first K kept.
        foreach (var (fraction, k) in new[] { (0.3, 3), (0.25, 3), (0.5, 5), (0.55, 6), (0.0, 0), (1.0, 10) })
        {
            var expected = inputOrder.Select((d, position) => (d.Id, P: texts[d.Group].P, position))
                .OrderByDescending(d => d.P).ThenBy(d => d.position).Take(k).Select(d => d.Id).ToHashSet();
            var pipeline = Path.Combine(folder, $"p-{fraction}.yaml");
            File.WriteAllText(pipeline, $"""
                stages:
                  - type: classify
                    input: {folder}/*.jsonl
                    tasks: 2
                    model: {_model}
                    keep: {"{"}label: readme, top_fraction: {fraction.ToString(CultureInfo.InvariantCulture)}{"}"}
                """);
            var session = RunSession.Create(pipeline, Path.Combine(folder, $"run-{fraction}"));
            new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
            Assert.Equal(["classify.scores", "classify.cutoff", "classify"], session.Pipeline.Stages.Select(s => s.Name));
            var kept = Read(session.Run.OutputDir(session.Pipeline.Stages[^1])).Select(d => d.Id).ToHashSet();
            Assert.True(expected.SetEquals(kept), $"top_fraction {fraction}: expected {string.Join(",", expected.Order())}, kept {string.Join(",", kept.Order())}");
        }
    }

    [Fact]
    public void A_rerun_after_lost_tasks_writes_the_same_documents()
    {
        var docs = _docs.Take(60).ToList();
        var (session, outDir) = Run("    keep: {label: readme, top_fraction: 0.25}", docs);
        var first = Read(outDir).Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(15, first.Count);
        // As if the run had been killed after the cutoff: its marker, the filter's task 1 and its shard are gone.
        File.Delete(session.Run.DoneMarker("classify.cutoff", 0));
        File.Delete(session.Run.DoneMarker("classify", 1));
        File.Delete(Path.Combine(outDir, "part-00001.parquet"));
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
        Assert.Equal(first, Read(outDir).Select(d => d.Id).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void The_classify_command_writes_annotated_shards_and_filters_by_top_fraction()
    {
        var docs = _docs.Take(30).ToList();
        var input = _dir.File("cmd.jsonl");
        LabelledDocuments.WriteJsonl(input, docs);
        var output = _dir.File("cmd-out");
        var result = CliProcess.Run(_dir.Path, "classify", "-i", input, "-o", output, "--model", _model, "--keep-label", "readme", "--top-fraction", "0.2");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var kept = Read(output);
        Assert.Equal(6, kept.Count);
        var cli = CliAllLabels(docs);
        var lowestKept = kept.Min(d => (double)d["keep_score"]!);
        var notKept = docs.Where(d => !kept.Any(k => k.Id == d.Id)).Select(d => Probability(cli[docs.IndexOf(d)], "__label__readme"));
        Assert.All(notKept, p => Assert.True(p <= lowestKept + Printed, $"a dropped document scored {p} > the lowest kept {lowestKept}"));
    }

    [Fact]
    public void Errors_name_the_model_file_and_the_key()
    {
        File.WriteAllText(_dir.File("x.jsonl"), "{\"id\": \"a\", \"text\": \"t\"}\n");
        string Error(string keys) => Assert.Throws<ConfigException>(() => PipelineLoader.Load($"""
            stages:
              - type: classify
                input: x.jsonl
            {keys}
            """, "p.yaml", StandardStages.Create(), _dir.Path)).Message;

        var missing = Error("    model: models/none.bin");
        Assert.Contains("model'", missing);
        Assert.Contains(Path.Combine(_dir.Path, "models", "none.bin"), missing);
        Assert.Contains("does not exist", missing);

        var corrupt = _dir.File("corrupt.bin");
        File.WriteAllBytes(corrupt, [.. File.ReadAllBytes(_model).Take(3000)]);
        var truncated = Error($"    model: {corrupt}");
        Assert.Contains("model'", truncated);
        Assert.Contains(corrupt, truncated);
        File.WriteAllText(_dir.File("text.bin"), "not a model at all");
        Assert.Contains("not a fastText model", Error($"    model: {_dir.File("text.bin")}"));

        Assert.Contains("missing required key 'stages[0].model'", Error("    tasks: 1"));
        var unknownLabel = Error($"    model: {_model}\n    keep: {{label: spam, min_score: 0.5}}");
        Assert.Contains("keep'", unknownLabel);
        Assert.Contains("__label__readme", unknownLabel);
        Assert.Contains("exactly one of", Error($"    model: {_model}\n    keep: {{label: readme, min_score: 0.5, top_fraction: 0.1}}"));
        Assert.Contains("exactly one of", Error($"    model: {_model}\n    keep: {{label: readme}}"));
        Assert.Contains("out of range", Error($"    model: {_model}\n    keep: {{label: readme, top_fraction: 1.5}}"));
        Assert.Contains("must differ", Error($"    model: {_model}\n    score_column: class"));
        // A bare name is a stage; one that is not an earlier classifier_train stage fails when the run is planned.
        var pipeline = _dir.File("stage.yaml");
        File.WriteAllText(pipeline, $"stages:\n  - type: classify\n    input: {_dir.File("x.jsonl")}\n    model: trainer\n");
        var session = RunSession.Create(pipeline, _dir.File("stage-run"));
        var planning = Assert.ThrowsAny<Exception>(() => new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None));
        Assert.Contains("'model: trainer' is neither a file nor an earlier stage", planning.ToString());
    }
}
