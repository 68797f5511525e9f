using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;

namespace DataFlow.Report;

/// <summary>
/// Builds RUN/report/index.html (+ img/*.svg) from what a run recorded (merged stage stats, trainer metrics JSONL,
/// sample generations, eval.json), in three layers: the headline ("what this run produced", <see cref="RunHeadline"/>);
/// curated charts (loss per training stage, PPO's learned reward beside true score and KL, documents per stage, drop
/// reasons, dedup, PII), none of a constant; and every number in folded tables with its label in words
/// (<see cref="MetricLabel"/>) beside the raw key. Any pipeline: data-only, training-only, unfinished or failed runs.
/// Every piece of document text shown passes through <c>mask</c> first, so PII never appears unmasked.
/// </summary>
public sealed class RunReport(RunFolder run, Pipeline pipeline, Func<string, string> mask)
{
    // Score histograms of the classify stage: class_score.LABEL.PERCENT (by top label) and keep_score.LABEL.PERCENT (the kept label, every document).
    private const string ClassScore = "class_score";
    private const string KeepScore = "keep_score";

    // Counter families drawn elsewhere: the drop charts, the PII chart, repeated spans, classifier score histograms.
    private static readonly HashSet<string> ChartedAbove = ["dropped", "dropped_bytes", "substring", "pii", "docs_with", ClassScore, KeepScore];
    private readonly StringBuilder _html = new();
    private readonly List<string> _images = [];
    private string _imageDir = "";

    public string Write(string? outputDir = null)
    {
        var dir = outputDir ?? Path.Combine(run.Root, "report");
        _imageDir = Path.Combine(dir, "img");
        Directory.CreateDirectory(_imageDir);
        var stages = pipeline.Stages
            .Where(s => File.Exists(run.ManifestFile(s.Name)))
            .Select(s => (Stage: s, Manifest: StageManifest.Load(run.ManifestFile(s.Name))))
            .Select(x => new ReportStage(x.Stage, x.Manifest, TaskRunner.StageStats(run, x.Manifest),
                x.Manifest.Tasks.Count(t => run.IsDone(x.Stage.Name, t.Index))))
            .ToList();
        // A stage that has not planned yet has no manifest; the report stage itself is running as this is written.
        var notStarted = pipeline.Stages.Where(s => !File.Exists(run.ManifestFile(s.Name)) && s.Type != "report").Select(s => s.Name).ToList();
        var files = TrainingFiles(pipeline.Stages);
        var logs = files.Metrics.Select(f => (f.Stage, Metrics: MetricsLog.Read(f.File))).Where(l => l.Metrics.Series.Count > 0).ToList();
        var eval = files.Evals.Where(f => Path.GetFileName(f.File) == "eval.json").Select(f => ReadJson(f.File)).LastOrDefault(e => e is not null);

        Header();
        Headline(RunHeadline.Build(stages, notStarted, logs, eval));
        _html.Append("<h2>Charts</h2><div class=charts>");
        TrainingCharts(logs);
        DocumentCharts(stages);
        _html.Append("</div>");
        _html.Append("<h2>Details</h2>");
        Overview(stages);
        StageTables(stages);
        RepeatedSpans(stages);
        ScoreHistograms(stages);
        MetricTables(logs);
        foreach (var (stage, file) in files.Evals) EvalTable(stage, file);
        Examples(stages);
        foreach (var (stage, file) in files.Samples) Samples(stage, file);
        Footer();
        var index = Path.Combine(dir, "index.html");
        AtomicFile.WriteAllText(index, _html.ToString());
        return index;
    }

    private void Header()
    {
        _html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>DataFlow run report</title><style>")
            .Append("body{font-family:sans-serif;max-width:1220px;margin:1em auto;padding:0 1em;color:#222}h1{margin:0.2em 0}h2{margin:1em 0 0.4em}")
            .Append("table{border-collapse:collapse;margin:0.6em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}")
            .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}code{font-size:12px;color:#555}")
            .Append("pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;font-size:12px;max-height:12em;overflow:auto}")
            .Append("#headline{background:#f4f7fb;border:1px solid #d5deea;border-radius:6px;padding:0.4em 1em 0.8em}#headline h2{margin:0.3em 0 0.5em}")
            .Append(".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:10px}")
            .Append(".card{background:white;border:1px solid #d5deea;border-radius:4px;padding:6px 10px}.card.warn{border-color:#c0392b;background:#fdf2f0}")
            .Append(".card .t{font-size:12px;color:#555;text-transform:uppercase;letter-spacing:0.03em}.card .v{font-size:24px;font-weight:bold;margin:2px 0}")
            .Append(".card .n{font-size:12px;color:#555}.card p{font-size:12px;margin:4px 0 0;line-height:1.35}")
            .Append(".charts{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}.charts img{width:600px;height:auto;border:1px solid #eee}img{display:block;margin:0.5em 0}")
            .Append("details{margin:0.4em 0}summary{cursor:pointer;font-weight:bold;padding:2px 0}")
            .Append("</style></head><body>")
            .Append($"<h1>DataFlow run report</h1><p>Run folder <code>{E(run.Root)}</code>, generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>");
    }

    private void Headline(RunHeadline headline)
    {
        _html.Append("<section id=headline><h2>What this run produced</h2>");
        if (headline.Items.Count == 0)
            _html.Append("<p>Nothing yet: no stage of this run has recorded stats.</p>");
        else
        {
            _html.Append("<div class=cards>");
            foreach (var item in headline.Items)
            {
                _html.Append($"<div class=\"card{(item.Warning ? " warn" : "")}\"><div class=t>{E(item.Title)}</div><div class=v>{E(item.Value)}</div>");
                if (item.Note.Length > 0) _html.Append($"<div class=n>{E(item.Note)}</div>");
                _html.Append($"<p>{E(item.Sentence)}</p></div>");
            }
            _html.Append("</div>");
        }
        _html.Append("</section>");
    }

    /// <summary>Train and validation loss per training stage; PPO's learned reward, true score and KL on one figure.</summary>
    private void TrainingCharts(List<(string Stage, MetricsSeries Metrics)> logs)
    {
        foreach (var (stage, log) in logs)
        {
            var title = Title(stage, log);
            var losses = new[] { ("loss", "training"), ("val_loss", "validation"), ("eval_loss", "held-out") }
                .Select(k => (Name: k.Item2, Points: log.Varying(k.Item1))).Where(s => s.Points is not null)
                .Select(s => (s.Name, s.Points!)).ToList();
            if (losses.Count > 0)
                Image($"{title}-loss", SvgChart.Lines($"{title}: loss per {log.StepName}", losses, log.StepName, "loss (nats)"));

            var panels = new (string Label, (string Key, string Name)[] Series)[]
            {
                ("learned reward", [("reward_mean", "rollouts (mean)"), ("eval_reward", "held-out, greedy"), ("eval_sampled_reward", "held-out, sampled")]),
                ("true score (share right)", [("true_score", "rollouts"), ("eval_true_score", "held-out, greedy"), ("eval_sampled_true_score", "held-out, sampled")]),
                ("KL to reference (nats)", [("kl_k1", "rollouts (k1)"), ("eval_kl", "held-out")]),
            }.Select(p => (YLabel: p.Label, Series: (IReadOnlyList<(string, IReadOnlyList<(double, double)>)>)p.Series
                    .Select(s => (s.Name, Points: log.Varying(s.Key))).Where(s => s.Points is not null).Select(s => (s.Name, s.Points!)).ToList()))
                .Where(p => p.Series.Count > 0).ToList();
            // Learned reward beside true score: a policy that games the reward model shows as one rising while the other falls.
            if (panels.Any(p => p.YLabel == "learned reward"))
                Image($"{title}-reward-score-kl", SvgChart.Panels($"{title}: learned reward, true score and KL per {log.StepName}", panels, log.StepName));
        }
    }

    /// <summary>Documents out of each stage, drop reasons, deduplication, PII: each a chart when it has more than one distinct value.</summary>
    private void DocumentCharts(List<ReportStage> stages)
    {
        var flow = stages.Where(s => !s.IsTraining && s.Stats.Counters.ContainsKey("docs_out") && s.Stats.Counter("docs_in") > 0)
            .Select(s => (s.Name, (double)s.Stats.Counter("docs_out"))).ToList();
        Chart("documents-per-stage", "Documents out of each stage", flow);

        var drops = stages.SelectMany(s => s.Stats.Counters
                .Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal) && kv.Value > 0)
                .Select(kv => (Label: $"{s.Name}: {MetricLabel.Label(kv.Key["dropped.".Length..])}", Value: (double)kv.Value)))
            .OrderByDescending(d => d.Value).ToList();
        Chart("drop-reasons", "Documents dropped, by stage and reason", drops);

        foreach (var stage in stages.Where(s => s.Stats.Counters.Keys.Any(k => k.StartsWith("dropped.duplicate", StringComparison.Ordinal))))
        {
            var bars = new List<(string, double)> { ("documents in", stage.Stats.Counter("docs_in")) };
            bars.AddRange(stage.Stats.Counters.Where(kv => kv.Key.StartsWith("dropped.duplicate", StringComparison.Ordinal) && kv.Value > 0)
                .Select(kv => ($"removed: {MetricLabel.Label(kv.Key["dropped.".Length..]).ToLowerInvariant()}", (double)kv.Value)));
            bars.Add(("documents kept", stage.Stats.Counter("docs_out")));
            Chart($"{stage.Name}-dedup", $"{stage.Name}: deduplication", bars);
        }
        foreach (var stage in stages)
        {
            var pii = stage.Stats.Counters.Where(kv => kv.Key.StartsWith("pii.", StringComparison.Ordinal) && kv.Value > 0)
                .OrderByDescending(kv => kv.Value)
                .Select(kv => (Label: PiiLabel(stage, kv.Key["pii.".Length..]), Value: (double)kv.Value)).ToList();
            if (pii.Count > 0) Chart($"{stage.Name}-pii", $"{stage.Name}: personal data found, by type (matches)", pii);
        }
    }

    private static string PiiLabel(ReportStage stage, string type) =>
        stage.Stats.Counters.TryGetValue($"docs_with.{type}", out var docs) ? $"{type} ({docs:N0} documents)" : type;

    /// <summary>A bar chart, or (one bar, or every bar the same) a one-line table: a constant is not a chart.</summary>
    private void Chart(string name, string title, List<(string Label, double Value)> bars, string unit = "")
    {
        if (bars.Count == 0) return;
        if (bars.Select(b => b.Value).Distinct().Count() > 1)
        {
            Image(name, SvgChart.Bars(title, bars, unit));
            return;
        }
        _html.Append($"<table><tr><th class=l colspan=2>{E(title)}</th></tr>");
        foreach (var (label, value) in bars) _html.Append($"<tr><td class=l>{E(label)}</td><td>{E(SvgChart.Format(value) + unit)}</td></tr>");
        _html.Append("</table>");
    }

    private void Overview(List<ReportStage> stages)
    {
        _html.Append($"<details><summary>Stages ({stages.Count}): tasks, documents, text, tokens, time</summary>")
            .Append("<table><tr><th class=l>stage</th><th class=l>type</th><th>tasks done</th><th>documents in</th><th>documents out</th>")
            .Append("<th>MB in</th><th>MB out</th><th>tokens</th><th>bad records skipped</th><th>task seconds</th><th class=l>training</th></tr>");
        foreach (var stage in stages)
        {
            var stats = stage.Stats;
            // A training stage reads no documents: steps, tokens trained, tok/s and losses instead of "0 docs in, 0 out".
            var training = TrainingStats.Describe(stats);
            _html.Append($"<tr><td class=l>{E(stage.Name)}</td><td class=l>{E(stage.Definition.Type)}</td><td>{stage.Done}/{stage.Tasks}</td>");
            _html.Append(training is null ? $"<td>{stats.Counter("docs_in"):N0}</td><td>{stats.Counter("docs_out"):N0}</td>" : "<td></td><td></td>")
                .Append($"<td>{stats.Counter("bytes_in") / 1e6:F2}</td><td>{stats.Counter("bytes_out") / 1e6:F2}</td>")
                .Append($"<td>{(training is null ? stats.Counter("tokens_out") : stats.Counter(TrainingStats.Tokens)):N0}</td><td>{stats.Counter("docs_rejected"):N0}</td>")
                .Append($"<td>{stats.Values.GetValueOrDefault("seconds"):F1}</td><td class=l>{E(training ?? "")}</td></tr>");
        }
        _html.Append("</table></details>");
    }

    /// <summary>
    /// Every counter and value of every stage, folded per stage: each counter family (language.*, clusters_of.*,
    /// perplexity_histogram.*, sentence_dedup.*...) as a chart when it varies, then all numbers in words with units.
    /// </summary>
    private void StageTables(List<ReportStage> stages)
    {
        foreach (var stage in stages)
        {
            var rows = stage.Stats.Counters.Select(kv => (kv.Key, Value: (double)kv.Value))
                .Concat(stage.Stats.Values.Select(kv => (kv.Key, kv.Value))).ToList();
            if (rows.Count == 0) continue;
            _html.Append($"<details><summary>{E(stage.Name)}: every counter and value ({rows.Count})</summary>");
            var families = stage.Stats.Counters.Where(kv => kv.Key.Contains('.'))
                .GroupBy(kv => kv.Key[..kv.Key.IndexOf('.')])
                .Where(g => !ChartedAbove.Contains(g.Key));
            foreach (var family in families)
            {
                var bars = family.Select(kv => (Label: kv.Key[(family.Key.Length + 1)..], Value: (double)kv.Value)).ToList();
                // Numeric keys (histogram buckets such as cluster sizes) keep numeric order; the rest sort by size.
                bars = bars.All(b => double.TryParse(b.Label, CultureInfo.InvariantCulture, out _))
                    ? bars.OrderBy(b => double.Parse(b.Label, CultureInfo.InvariantCulture)).ToList()
                    : bars.OrderByDescending(b => b.Value).Take(30).ToList();
                Chart($"{stage.Name}-{family.Key}", $"{stage.Name}: {MetricLabel.Label(family.Key)}", bars);
            }
            MetricRows(rows);
            _html.Append("</details>");
        }
    }

    private void MetricRows(IEnumerable<(string Key, double Value)> rows)
    {
        _html.Append("<table><tr><th class=l>metric</th><th>value</th><th class=l>key</th></tr>");
        foreach (var (key, value) in rows)
            _html.Append($"<tr><td class=l>{E(MetricLabel.Label(key))}</td><td>{E(MetricLabel.Format(key, value))}</td><td class=l><code>{E(key)}</code></td></tr>");
        _html.Append("</table>");
    }

    /// <summary>"pretrain", or "pretrain: NAME" when the file is not the stage's plain metrics.jsonl.</summary>
    private static string Title(string stage, MetricsSeries log) =>
        Path.GetFileNameWithoutExtension(log.File) == "metrics" ? stage : $"{stage}: {Path.GetFileNameWithoutExtension(log.File)}";

    /// <summary>Each trainer metric summarized: points, first, last, lowest, highest (a constant is one row here, never a chart).</summary>
    private void MetricTables(List<(string Stage, MetricsSeries Metrics)> logs)
    {
        foreach (var (stage, log) in logs)
        {
            _html.Append($"<details><summary>{E(Title(stage, log))}: every training metric ({log.Series.Count}, <code>{E(Path.GetFileName(log.File))}</code>)</summary>")
                .Append($"<table><tr><th class=l>metric</th><th>points</th><th>first</th><th>last</th><th>lowest</th><th>highest</th><th class=l>key</th></tr>");
            foreach (var (key, points) in log.Series)
            {
                string V(double v) => E(MetricLabel.Format(key, v));
                _html.Append($"<tr><td class=l>{E(MetricLabel.Label(key))}</td><td>{points.Count}</td><td>{V(points[0].Y)}</td><td>{V(points[^1].Y)}</td>")
                    .Append($"<td>{V(points.Min(p => p.Y))}</td><td>{V(points.Max(p => p.Y))}</td><td class=l><code>{E(key)}</code></td></tr>");
            }
            _html.Append("</table></details>");
        }
    }

    /// <summary>Substring dedup: text removed as repeated spans (bytes, share, spans, documents touched and dropped).</summary>
    private void RepeatedSpans(List<ReportStage> stages)
    {
        var rows = stages.Where(s => s.Stats.Counters.ContainsKey("substring.bytes_removed")).ToList();
        if (rows.Count == 0) return;
        _html.Append("<details><summary>Repeated spans removed</summary><table><tr><th class=l>stage</th><th>MB in</th><th>MB removed</th><th>share</th>")
            .Append("<th>spans</th><th>documents touched</th><th>documents dropped (too short)</th></tr>");
        foreach (var stage in rows)
        {
            var stats = stage.Stats;
            var bytesIn = stats.Counter("bytes_in");
            var removed = stats.Counter("substring.bytes_removed");
            _html.Append($"<tr><td class=l>{E(stage.Name)}</td><td>{bytesIn / 1e6:F1}</td><td>{removed / 1e6:F2}</td><td>{(bytesIn > 0 ? 100.0 * removed / bytesIn : 0):F1}%</td>")
                .Append($"<td>{stats.Counter("substring.spans")}</td><td>{stats.Counter("substring.docs_touched")}</td><td>{stats.Counter("dropped.substring_too_short")}</td></tr>");
        }
        _html.Append("</table></details>");
    }

    /// <summary>One chart per label of a classifier's score distribution (bins of 0.05, named by their lower bound in percent).</summary>
    private void ScoreHistograms(List<ReportStage> stages)
    {
        foreach (var stage in stages)
        {
            var series = new SortedDictionary<string, List<(int Percent, double Count)>>(StringComparer.Ordinal);
            foreach (var (key, count) in stage.Stats.Counters)
            {
                string label;
                if (key.StartsWith(ClassScore + ".", StringComparison.Ordinal) && key.LastIndexOf('.') > ClassScore.Length)
                    label = "top label " + key[(ClassScore.Length + 1)..key.LastIndexOf('.')];
                else if (key.StartsWith(KeepScore + ".", StringComparison.Ordinal) && key.LastIndexOf('.') > KeepScore.Length)
                    label = $"kept label {key[(KeepScore.Length + 1)..key.LastIndexOf('.')]}, all documents";
                else continue;
                if (!int.TryParse(key[(key.LastIndexOf('.') + 1)..], out var percent)) continue;
                if (!series.TryGetValue(label, out var bins)) series[label] = bins = [];
                bins.Add((percent, count));
            }
            if (series.Count == 0) continue;
            _html.Append($"<details open><summary>{E(stage.Name)}: classifier scores</summary>");
            foreach (var (label, bins) in series.Take(20))
            {
                var step = bins.Count > 1 ? bins.Select(b => b.Percent).Order().Skip(1).First() - bins.Min(b => b.Percent) : 5;
                var bars = bins.OrderBy(b => b.Percent).Select(b => ($"{b.Percent / 100.0:0.00}-{(b.Percent + step) / 100.0:0.00}", b.Count)).ToList();
                Chart($"{stage.Name}-score-{label}", $"{stage.Name}: documents by probability, {label}", bars);
            }
            _html.Append("</details>");
        }
    }

    private void Examples(List<ReportStage> stages)
    {
        if (!stages.Any(s => s.Stats.Examples.Count > 0)) return;
        _html.Append("<details><summary>Examples of what each rule matched (PII masked)</summary>");
        foreach (var stage in stages)
            foreach (var (key, examples) in stage.Stats.Examples)
            {
                _html.Append($"<h3>{E(stage.Name)}: {E(MetricLabel.Label(key))}</h3>");
                foreach (var example in examples.Take(3)) _html.Append($"<pre>{E(mask(Trim(example, 600)))}</pre>");
            }
        _html.Append("</details>");
    }

    private sealed record TrainingFileSet(List<(string Stage, string File)> Metrics, List<(string Stage, string File)> Samples, List<(string Stage, string File)> Evals);

    /// <summary>What the stages wrote besides stats: trainer metrics JSONL, sample generations, eval results.</summary>
    private TrainingFileSet TrainingFiles(IReadOnlyList<StageDefinition> stages)
    {
        var set = new TrainingFileSet([], [], []);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            // The output folder usually sits inside the stage folder; a stage may also write elsewhere (output: key).
            foreach (var dir in new[] { run.StageDir(stage.Name), run.OutputDir(stage) }.Distinct().Where(Directory.Exists))
                foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    if (!seen.Add(Path.GetFullPath(file))) continue;
                    var name = Path.GetFileName(file);
                    if (name.EndsWith(".tmp", StringComparison.Ordinal) || file.Contains("/checkpoint", StringComparison.Ordinal)) continue;
                    if (name.Contains("metrics", StringComparison.Ordinal) && name.EndsWith(".jsonl", StringComparison.Ordinal)) set.Metrics.Add((stage.Name, file));
                    else if ((name.Contains("sample", StringComparison.Ordinal) || name.Contains("generation", StringComparison.Ordinal)) && name.EndsWith(".jsonl", StringComparison.Ordinal)) set.Samples.Add((stage.Name, file));
                    else if (name.StartsWith("eval", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)) set.Evals.Add((stage.Name, file));
                }
        }
        return set;
    }

    private static JsonElement? ReadJson(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            return doc.RootElement.Clone();
        }
        catch (JsonException) { return null; }
    }

    private void EvalTable(string stage, string file)
    {
        if (ReadJson(file) is not { } root) return;
        _html.Append($"<details><summary>{E(stage)}: evaluation results (<code>{E(Path.GetFileName(file))}</code>)</summary><table>")
            .Append("<tr><th class=l>metric</th><th class=l>value</th><th class=l>key</th></tr>");
        foreach (var (k, number, text) in Flatten(root, ""))
            _html.Append($"<tr><td class=l>{E(MetricLabel.Label(k))}</td><td class=l>{E(number is { } v ? MetricLabel.Format(k, v) : mask(text))}</td><td class=l><code>{E(k)}</code></td></tr>");
        _html.Append("</table></details>");
    }

    private void Samples(string stage, string file)
    {
        _html.Append($"<details><summary>{E(stage)}: sample answers (<code>{E(Path.GetFileName(file))}</code>, PII masked)</summary>")
            .Append("<table><tr><th class=l>step</th><th class=l>prompt</th><th class=l>response</th></tr>");
        foreach (var line in File.ReadLines(file).Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(24))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                string Get(params string[] keys) => keys.Select(k => r.TryGetProperty(k, out var v) ? v.ToString() : null).FirstOrDefault(v => v is not null) ?? "";
                _html.Append($"<tr><td class=l>{E(Get("step", "iteration", "label"))}</td><td class=l><pre>{E(mask(Trim(Get("prompt", "input"), 400)))}</pre></td>")
                    .Append($"<td class=l><pre>{E(mask(Trim(Get("response", "output", "text", "completion"), 600)))}</pre></td></tr>");
            }
            catch (JsonException) { }
        }
        _html.Append("</table></details>");
    }

    private static IEnumerable<(string Key, double? Number, string Text)> Flatten(JsonElement e, string prefix)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
                foreach (var x in Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}")) yield return x;
        }
        else if (e.ValueKind == JsonValueKind.Number) yield return (prefix, e.GetDouble(), "");
        else yield return (prefix, null, Trim(e.ToString(), 300));
    }

    private void Footer()
    {
        // Lets a headless browser test confirm that the page loaded without script errors and every image rendered.
        _html.Append("<script>window.addEventListener('error',function(){document.body.setAttribute('data-errors','1')});")
            .Append("window.addEventListener('load',function(){var imgs=document.images,ok=0;for(var i=0;i<imgs.length;i++){if(imgs[i].complete&&imgs[i].naturalWidth>0)ok++;}")
            .Append("document.body.setAttribute('data-images',ok+'/'+imgs.length);});</script></body></html>");
    }

    private void Image(string name, string svg)
    {
        var file = Slug(name) + ".svg";
        var n = 1;
        while (_images.Contains(file)) file = $"{Slug(name)}-{++n}.svg";
        _images.Add(file);
        File.WriteAllText(Path.Combine(_imageDir, file), svg);
        _html.Append($"<img src=\"img/{file}\" alt=\"{E(name)}\">");
    }

    private static string Slug(string s) => new(s.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
    private static string Trim(string s, int max) => s.Length <= max ? s : s[..max] + "…";
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
