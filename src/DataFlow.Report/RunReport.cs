using System.Net;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Jobs;

namespace DataFlow.Report;

/// <summary>
/// Builds RUN/report/index.html (+ img/*.svg) from what a run recorded: merged stage stats, drop reasons,
/// every counter family a stage emits (language.*, pii.*, cluster_size.*, tokens_source.*...), training
/// metrics JSONL (every numeric field against step), sample generations and eval results.
/// Every piece of document text shown passes through <c>mask</c> first, so PII never appears unmasked.
/// </summary>
public sealed class RunReport(RunFolder run, Pipeline pipeline, Func<string, string> mask)
{
    private static readonly HashSet<string> NotFamilies = ["dropped", "dropped_bytes", "substring", ClassScore, KeepScore];

    // Score histograms of the classify stage: class_score.LABEL.PERCENT (by top label) and keep_score.LABEL.PERCENT (the kept label, every document).
    private const string ClassScore = "class_score";
    private const string KeepScore = "keep_score";
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
            .Select(x => (x.Stage, x.Manifest, Stats: TaskRunner.StageStats(run, x.Manifest),
                Done: x.Manifest.Tasks.Count(t => run.IsDone(x.Stage.Name, t.Index))))
            .ToList();

        Header();
        Overview(stages);
        DropReasons(stages);
        RepeatedSpans(stages);
        CounterFamilies(stages);
        ScoreHistograms(stages);
        Examples(stages);
        Training(stages.Select(s => s.Stage).ToList());
        Footer();
        var index = Path.Combine(dir, "index.html");
        AtomicFile.WriteAllText(index, _html.ToString());
        return index;
    }

    private void Header()
    {
        _html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>DataFlow report</title><style>")
            .Append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}")
            .Append("pre{white-space:pre-wrap;background:#f7f7f7;padding:6px;font-size:12px;max-height:12em;overflow:auto}img{display:block;margin:0.5em 0}")
            .Append("</style></head><body>")
            .Append($"<h1>DataFlow run report</h1><p>Run folder <code>{E(run.Root)}</code>, generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>");
    }

    private void Overview(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        _html.Append("<h2>Stages</h2><table><tr><th class=l>stage</th><th class=l>type</th><th>tasks done</th><th>docs in</th><th>docs out</th>")
            .Append("<th>MB in</th><th>MB out</th><th>tokens</th><th>rejected</th><th>task s</th><th class=l>training</th></tr>");
        foreach (var (stage, manifest, stats, done) in stages)
        {
            // A training stage reads no documents: steps, tokens trained, tok/s and losses instead of "0 docs in, 0 out".
            var training = TrainingStats.Describe(stats);
            _html.Append($"<tr><td class=l>{E(stage.Name)}</td><td class=l>{E(stage.Type)}</td><td>{done}/{manifest.Tasks.Count}</td>");
            _html.Append(training is null ? $"<td>{stats.Counter("docs_in"):N0}</td><td>{stats.Counter("docs_out"):N0}</td>" : "<td></td><td></td>")
                .Append($"<td>{stats.Counter("bytes_in") / 1e6:F2}</td><td>{stats.Counter("bytes_out") / 1e6:F2}</td>")
                .Append($"<td>{(training is null ? stats.Counter("tokens_out") : stats.Counter(TrainingStats.Tokens)):N0}</td><td>{stats.Counter("docs_rejected"):N0}</td>")
                .Append($"<td>{stats.Values.GetValueOrDefault("seconds"):F1}</td><td class=l>{E(training ?? "")}</td></tr>");
        }
        _html.Append("</table>");
        var flow = stages.Where(s => s.Stats.Counter("docs_out") > 0)
            .Select(s => ($"{s.Stage.Name} (out)", (double)s.Stats.Counter("docs_out"))).ToList();
        if (flow.Count > 0) Image("documents-per-stage", SvgChart.Bars("Documents out of each stage", flow));
    }

    private void DropReasons(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        var drops = stages.SelectMany(s => s.Stats.Counters
                .Where(kv => kv.Key.StartsWith("dropped.", StringComparison.Ordinal) && kv.Value > 0)
                .Select(kv => (Label: $"{s.Stage.Name}: {kv.Key["dropped.".Length..]}", Value: (double)kv.Value)))
            .OrderByDescending(d => d.Value).ToList();
        _html.Append("<h2>Drop reasons</h2>");
        if (drops.Count == 0)
        {
            _html.Append("<p>No document was dropped.</p>");
            return;
        }
        Image("drop-reasons", SvgChart.Bars("Documents dropped, by stage and reason", drops));
        var bytes = stages.SelectMany(s => s.Stats.Counters
                .Where(kv => kv.Key.StartsWith("dropped_bytes.", StringComparison.Ordinal) && kv.Value > 0)
                .Select(kv => (Label: $"{s.Stage.Name}: {kv.Key["dropped_bytes.".Length..]}", Value: kv.Value / 1e6)))
            .OrderByDescending(d => d.Value).ToList();
        if (bytes.Count > 0) Image("drop-bytes", SvgChart.Bars("Text removed (MB), by stage and reason", bytes, " MB"));
    }

    /// <summary>Substring dedup: text removed as repeated spans (bytes, share, spans, documents touched and dropped).</summary>
    private void RepeatedSpans(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        var rows = stages.Where(s => s.Stats.Counters.ContainsKey("substring.bytes_removed")).ToList();
        if (rows.Count == 0) return;
        _html.Append("<h2>Repeated spans removed</h2><table><tr><th class=l>stage</th><th>MB in</th><th>MB removed</th><th>share</th>")
            .Append("<th>spans</th><th>docs touched</th><th>docs dropped (too short)</th></tr>");
        foreach (var (stage, _, stats, _) in rows)
        {
            var bytesIn = stats.Counter("bytes_in");
            var removed = stats.Counter("substring.bytes_removed");
            _html.Append($"<tr><td class=l>{E(stage.Name)}</td><td>{bytesIn / 1e6:F1}</td><td>{removed / 1e6:F2}</td><td>{(bytesIn > 0 ? 100.0 * removed / bytesIn : 0):F1}%</td>")
                .Append($"<td>{stats.Counter("substring.spans")}</td><td>{stats.Counter("substring.docs_touched")}</td><td>{stats.Counter("dropped.substring_too_short")}</td></tr>");
        }
        _html.Append("</table>");
    }

    private void CounterFamilies(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        _html.Append("<h2>Stage details</h2>");
        foreach (var (stage, _, stats, _) in stages)
        {
            var families = stats.Counters.Where(kv => kv.Key.Contains('.'))
                .GroupBy(kv => kv.Key[..kv.Key.IndexOf('.')])
                .Where(g => !NotFamilies.Contains(g.Key));
            foreach (var family in families)
            {
                var bars = family.Select(kv => (Label: kv.Key[(family.Key.Length + 1)..], Value: (double)kv.Value)).ToList();
                // Numeric keys (histogram buckets such as cluster sizes) keep numeric order; the rest sort by size.
                bars = bars.All(b => double.TryParse(b.Label, out _))
                    ? bars.OrderBy(b => double.Parse(b.Label)).ToList()
                    : bars.OrderByDescending(b => b.Value).Take(30).ToList();
                Image($"{stage.Name}-{family.Key}", SvgChart.Bars($"{stage.Name}: {family.Key.Replace('_', ' ')}", bars));
            }
            var values = stats.Values.Where(kv => kv.Key != "seconds").ToList();
            if (values.Count > 0)
            {
                _html.Append($"<table><tr><th class=l colspan=2>{E(stage.Name)} values</th></tr>");
                foreach (var (k, v) in values) _html.Append($"<tr><td class=l>{E(k)}</td><td>{SvgChart.Format(v)}</td></tr>");
                _html.Append("</table>");
            }
        }
    }

    /// <summary>One chart per label of a classifier's score distribution (bins of 0.05, named by their lower bound in percent).</summary>
    private void ScoreHistograms(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        foreach (var (stage, _, stats, _) in stages)
        {
            var series = new SortedDictionary<string, List<(int Percent, double Count)>>(StringComparer.Ordinal);
            foreach (var (key, count) in stats.Counters)
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
            _html.Append($"<h3>{E(stage.Name)}: classifier scores</h3>");
            foreach (var (label, bins) in series.Take(20))
            {
                var step = bins.Count > 1 ? bins.Select(b => b.Percent).Order().Skip(1).First() - bins.Min(b => b.Percent) : 5;
                var bars = bins.OrderBy(b => b.Percent).Select(b => ($"{b.Percent / 100.0:0.00}-{(b.Percent + step) / 100.0:0.00}", b.Count)).ToList();
                Image($"{stage.Name}-score-{label}", SvgChart.Bars($"{stage.Name}: documents by probability, {label}", bars));
            }
        }
    }

    private void Examples(List<(StageDefinition Stage, StageManifest Manifest, TaskStats Stats, int Done)> stages)
    {
        var any = stages.Any(s => s.Stats.Examples.Count > 0);
        if (!any) return;
        _html.Append("<h2>Examples (masked)</h2>");
        foreach (var (stage, _, stats, _) in stages)
            foreach (var (key, examples) in stats.Examples)
            {
                _html.Append($"<h3>{E(stage.Name)}: {E(key)}</h3>");
                foreach (var example in examples.Take(3)) _html.Append($"<pre>{E(mask(Trim(example, 600)))}</pre>");
            }
    }

    private void Training(List<StageDefinition> stages)
    {
        var metricFiles = new List<(string Stage, string File)>();
        var sampleFiles = new List<(string Stage, string File)>();
        var evalFiles = new List<(string Stage, string File)>();
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
                    if (name.Contains("metrics", StringComparison.Ordinal) && name.EndsWith(".jsonl", StringComparison.Ordinal)) metricFiles.Add((stage.Name, file));
                    else if ((name.Contains("sample", StringComparison.Ordinal) || name.Contains("generation", StringComparison.Ordinal)) && name.EndsWith(".jsonl", StringComparison.Ordinal)) sampleFiles.Add((stage.Name, file));
                    else if (name.StartsWith("eval", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal)) evalFiles.Add((stage.Name, file));
                }
        }
        if (metricFiles.Count + sampleFiles.Count + evalFiles.Count == 0) return;
        _html.Append("<h2>Training and evaluation</h2>");
        foreach (var (stage, file) in metricFiles) MetricsCharts(stage, file);
        foreach (var (stage, file) in evalFiles) EvalTable(stage, file);
        foreach (var (stage, file) in sampleFiles) Samples(stage, file);
    }

    private void MetricsCharts(string stage, string file)
    {
        var series = new SortedDictionary<string, List<(double X, double Y)>>(StringComparer.Ordinal);
        var row = 0;
        foreach (var line in File.ReadLines(file))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); } catch (JsonException) { continue; }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object) continue;
                var x = row++;
                double step = x;
                foreach (var key in new[] { "step", "iteration", "iter" })
                    if (doc.RootElement.TryGetProperty(key, out var s) && s.ValueKind == JsonValueKind.Number) { step = s.GetDouble(); break; }
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Value.ValueKind != JsonValueKind.Number || p.Name is "step" or "iteration" or "iter" or "epoch") continue;
                    if (!series.TryGetValue(p.Name, out var list)) series[p.Name] = list = [];
                    list.Add((step, p.Value.GetDouble()));
                }
            }
        }
        if (series.Count == 0) return;
        var name = Path.GetFileNameWithoutExtension(file);
        _html.Append($"<h3>{E(stage)}: {E(name)}</h3>");
        var losses = series.Where(kv => kv.Key.Contains("loss", StringComparison.OrdinalIgnoreCase) && !kv.Key.Contains("value", StringComparison.OrdinalIgnoreCase)).ToList();
        if (losses.Count > 0)
            Image($"{stage}-{name}-loss", SvgChart.Lines($"{stage}: loss", losses.Select(kv => (kv.Key, (IReadOnlyList<(double, double)>)kv.Value)).ToList(), "step", "loss"));
        foreach (var (key, points) in series.Where(kv => !losses.Any(l => l.Key == kv.Key)).Take(16))
            Image($"{stage}-{name}-{key}", SvgChart.Lines($"{stage}: {key}", [(key, points)], "step", key));
    }

    private void EvalTable(string stage, string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            _html.Append($"<h3>{E(stage)}: {E(Path.GetFileName(file))}</h3><table>");
            foreach (var (k, v) in Flatten(doc.RootElement, "")) _html.Append($"<tr><td class=l>{E(k)}</td><td class=l>{E(mask(v))}</td></tr>");
            _html.Append("</table>");
        }
        catch (JsonException) { }
    }

    private void Samples(string stage, string file)
    {
        _html.Append($"<h3>{E(stage)}: {E(Path.GetFileName(file))}</h3><table><tr><th class=l>step</th><th class=l>prompt</th><th class=l>response</th></tr>");
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
        _html.Append("</table>");
    }

    private static IEnumerable<(string Key, string Value)> Flatten(JsonElement e, string prefix)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
                foreach (var x in Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}")) yield return x;
        }
        else
        {
            yield return (prefix, e.ValueKind == JsonValueKind.Number ? SvgChart.Format(e.GetDouble()) : Trim(e.ToString(), 300));
        }
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
