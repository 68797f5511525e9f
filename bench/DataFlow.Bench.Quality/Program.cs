// Quality bench: one core, the same documents read three ways in one run:
//   baseline  = read + parse the documents only;
//   rules     = read + normalize + the rule chain of a preset with the language rule removed;
//   every rule on every doc = the chain's worst case, no early exit;
//   language  = read + language ID alone, in four configurations (over the first --lid-mb MB, default 10), and the
//               fineweb preset's language options before (candidates only, prefix) and after (absolute, 3 slices);
//   --lid-eval FILE: language-rule accuracy on labelled documents (scripts/make-text-fixtures.py's man pages).
// Prints MB/s and docs/s (per core), the ratio of each pass's time to the baseline, peak RSS, and a table of
// what each reason removed (documents, characters).
//   --stage: the quality stage's per-document path, one phase added per pass (StagePhases).
// Usage: dotnet run -c Release --project bench/DataFlow.Bench.Quality -- [--preset english | --config FILE] [--max-mb N] [--lid-mb N] [--per-rule] [--stage] [--lid-eval FILE] FILE...
//        dotnet run -c Release --project bench/DataFlow.Bench.Quality -- decisions OUT_DIR   (per-document decisions of a
//        `dataflow quality --keep-removed` output folder as JSON lines; see bench/quality-agreement)
using System.Diagnostics;
using System.Text;
using DataFlow.Bench.Quality;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Quality;
using DataFlow.Text.LanguageId;
using DataFlow.Text.Normalization;
using DataFlow.Text.Quality;

if (args is ["decisions", var decisionDir]) return DecisionDump.Run(decisionDir);

var preset = "english";
string? configFile = null;
double maxMb = double.MaxValue;
double lidMb = 10;
var files = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--preset": preset = args[++i]; break;
        case "--config": configFile = args[++i]; break;
        case "--lid-mb": lidMb = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--max-mb": maxMb = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--per-rule": break;
        case "--stage": break;
        case "--lid-eval": LanguageEvaluation.Run(args[++i]); if (args.Length == 2) return 0; break;
        default: files.Add(args[i]); break;
    }
}
if (files.Count == 0)
{
    Console.Error.WriteLine("usage: DataFlow.Bench.Quality [--preset english] [--max-mb N] [--lid-mb N] [--per-rule] FILE.jsonl[.gz]...");
    return 2;
}

var settings = new PipelineSettings();
var allRules = (configFile is null ? QualityPresets.Load(preset) : DataFlow.Engine.Config.ConfigSection.LoadFile(configFile)).GetSectionList("rules");
if (configFile is not null) preset = configFile;
var chainFactory = QualityRuleConfig.Read(allRules.Where(r => r.GetString("type") != "language").ToList(), settings);
var ruleChain = chainFactory();
var normalizer = new TextNormalizer();

Console.WriteLine($"files: {string.Join(", ", files.Select(Path.GetFileName))}; rule chain: {string.Join(" -> ", ruleChain.Rules.Select(r => r.Name))} (preset {preset}); one core");

// Warm-up: JIT tiering would otherwise bill the first pass for compilation.
Pass.Run("warm-up", files, Math.Min(maxMb, 8), text => ruleChain.Check(normalizer.Normalize(text)).Verdict.DropReason);
var baseline = Pass.Run("baseline (read only)", files, maxMb, _ => null);
var reasons = new SortedDictionary<string, (long Docs, long Chars)>(StringComparer.Ordinal);
var rules = Pass.Run("rule chain", files, maxMb, text =>
{
    var (verdict, _) = ruleChain.Check(normalizer.Normalize(text));
    return verdict.DropReason;
}, reasons);
var singles = new List<Pass>();
if (args.Contains("--per-rule"))
    singles.Add(Pass.Run("rule chain (again)", files, maxMb, text => ruleChain.Check(normalizer.Normalize(text)).Verdict.DropReason));
if (args.Contains("--per-rule"))
{
    singles.Add(Pass.Run("normalize only", files, maxMb, text => { normalizer.Normalize(text); return null; }));
    var words = new AnalyzedText();
    singles.Add(Pass.Run("normalize + words", files, maxMb, text => { words.Reset(normalizer.Normalize(text)); _ = words.WordCount; return null; }));
    foreach (var rule in ruleChain.Rules)
    {
        var alone = new QualityRuleChain([rule]);
        singles.Add(Pass.Run($"normalize + {rule.Name}", files, maxMb, text => alone.Check(normalizer.Normalize(text)).Verdict.DropReason));
    }
}
if (args.Contains("--stage")) singles.AddRange(StagePhases.Run(files, chainFactory, maxMb));
// Worst case for the chain: every rule runs on every document, whatever the earlier rules decided.
var everyRule = new AnalyzedText();
var full = Pass.Run("every rule on every doc", files, maxMb, text =>
{
    everyRule.Reset(normalizer.Normalize(text));
    foreach (var rule in ruleChain.Rules) rule.Check(everyRule);
    return null;
});

// Language ID configurations, each over the first --lid-mb megabytes.
var lidPasses = new List<Pass>();
if (lidMb > 0)
{
    var load = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var loaded = LatinTrigramScreen.Shared is not null;
    Console.WriteLine($"  Lingua's Latin-script models fused for LatinTrigramScreen in {load.Elapsed.TotalSeconds:F2} s, " +
                      $"{(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} CPU-s (found: {loaded})");
    cpu = Process.GetCurrentProcess().TotalProcessorTime;
    load.Restart();
    var linguaScreen = Lingua.LanguageDetectorBuilder.FromAllLanguages().WithLowAccuracyMode().WithPreloadedLanguageModels().Build();
    Console.WriteLine($"  for comparison, Lingua's low-accuracy models of all languages preloaded in {load.Elapsed.TotalSeconds:F2} s, " +
                      $"{(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F2} CPU-s");
}
(string Name, LanguageIdentifierOptions Options)[] lidConfigs =
[
    ("LID 10 langs low-acc 2000ch", new() { LowAccuracy = true, MaxChars = 2000, SampleSlices = 1, Absolute = false }),
    ("LID 10 langs high-acc 2000ch", new() { LowAccuracy = false, MaxChars = 2000, SampleSlices = 1, Absolute = false }),
    ("LID 5 langs high-acc 2000ch", new() { Languages = ["en", "de", "fr", "es", "zh"], MaxChars = 2000, SampleSlices = 1, Absolute = false }),
    ("LID 10 langs low-acc 500ch", new() { LowAccuracy = true, MaxChars = 500, SampleSlices = 1, Absolute = false }),
    // The fineweb preset's options, before (relative to the candidates, a prefix) and after (absolute, 3 slices),
    // each twice, interleaved, so load on a shared machine hits both alike; and the two changes apart.
    ("LID fineweb before", new() { MaxChars = 1000, SampleSlices = 1, Absolute = false }),
    ("LID fineweb after", new() { MaxChars = 1000 }),
    ("LID fineweb before (again)", new() { MaxChars = 1000, SampleSlices = 1, Absolute = false }),
    ("LID fineweb after (again)", new() { MaxChars = 1000 }),
    ("LID fineweb relative, 3 slices", new() { MaxChars = 1000, Absolute = false }),
    ("LID fineweb absolute, prefix", new() { MaxChars = 1000, SampleSlices = 1 }),
    ("LID sample-pipeline before", new() { Languages = ["en", "zh", "de", "fr", "es"], LowAccuracy = true, MaxChars = 2000, SampleSlices = 1, Absolute = false }),
    ("LID sample-pipeline after", new() { Languages = ["en", "zh", "de", "fr", "es"], LowAccuracy = true, MaxChars = 2000 }),
];
// The fineweb preset's language ID as shipped before LatinTrigramScreen: Lingua itself among the 10 candidates on a
// 1,000-character prefix (what "LID fineweb before" computes, without the fast path).
if (lidMb > 0)
{
    var candidates = new LanguageIdentifierOptions().Languages.Select(LanguageIdentifier.ParseCode).ToArray();
    var lingua10 = Lingua.LanguageDetectorBuilder.FromLanguages(candidates).Build();
    var prefix = new LanguageIdentifier(new LanguageIdentifierOptions { MaxChars = 1000, SampleSlices = 1, Absolute = false });
    string? Old(string text) { foreach (var kv in lingua10.ComputeLanguageConfidenceValues(prefix.Sample(text))) return kv.Value > 0 ? kv.Key.ToString() : null; return null; }
    Pass.Run("LID fineweb as shipped before (warm-up)", files, Math.Min(lidMb, 0.5), Old);
    lidPasses.Add(Pass.Run("LID fineweb before, Lingua alone", files, lidMb, Old));
    lidPasses.Add(Pass.Run("LID fineweb before, Lingua (again)", files, lidMb, Old));
}
foreach (var (name, options) in lidMb > 0 ? lidConfigs : [])
{
    var clock = Stopwatch.StartNew();
    var identifier = new LanguageIdentifier(options);
    identifier.Identify("warm up the detector with a first sentence of English text.");
    // Lingua loads models on first use and the JIT tiers up: a short untimed pass first, so the timed one is steady.
    Pass.Run($"{name} (warm-up)", files, Math.Min(lidMb, 0.5), text => identifier.Identify(text).Code);
    Console.WriteLine($"  {name}: detector ready in {clock.Elapsed.TotalSeconds:F1} s");
    lidPasses.Add(Pass.Run(name, files, lidMb, text => identifier.Identify(text).Code));
}

// The all-language screen alone, on the sample it reads (150 characters in 3 slices): Lingua's low-accuracy
// detector against LatinTrigramScreen (falling back to Lingua where it declines), interleaved.
if (lidMb > 0 && LatinTrigramScreen.Shared is { } fastScreen)
{
    var lingua = Lingua.LanguageDetectorBuilder.FromAllLanguages().WithLowAccuracyMode().Build();
    var sampler = new LanguageIdentifier(new LanguageIdentifierOptions { MaxChars = 150 });
    long answered = 0, screened = 0;
    string? LinguaTop(string text) { foreach (var kv in lingua.ComputeLanguageConfidenceValues(text)) return kv.Value > 0 ? kv.Key.ToString() : null; return null; }
    Pass.Run("screen warm-up", files, Math.Min(lidMb, 0.5), text => LinguaTop(sampler.Sample(text)));
    foreach (var round in new[] { "", " (again)" })
    {
        lidPasses.Add(Pass.Run("LID screen, Lingua" + round, files, lidMb, text => LinguaTop(sampler.Sample(text))));
        answered = screened = 0;
        lidPasses.Add(Pass.Run("LID screen, fast" + round, files, lidMb, text =>
        {
            var sample = sampler.Sample(text);
            screened++;
            if (fastScreen.TryTop(sample) is { } top) { answered++; return top.Language?.ToString(); }
            return LinguaTop(sample);
        }));
    }
    Console.WriteLine($"  the fast screen answered {answered} of {screened} samples itself ({100.0 * answered / Math.Max(1, screened):F1} %)");
}

Console.WriteLine();
Console.WriteLine($"{"pass",-32} {"MB",6} {"docs",6} {"wall s",7} {"cpu s",7} {"MB/s",7} {"cpu MB/s",8} {"docs/s",7} {"x base",7} {"kernel MB/s",11}");
foreach (var pass in new[] { baseline, rules, full }.Concat(lidPasses).Concat(singles))
    Console.WriteLine($"{pass.Name,-32} {pass.Megabytes,6:F1} {pass.Docs,6} {pass.Seconds,7:F2} {pass.CpuSeconds,7:F2} {pass.MegabytesPerSecond,7:F1} {pass.CpuMegabytesPerSecond,8:F1} {pass.Docs / pass.Seconds,7:F0} {pass.CpuSeconds / baseline.CpuSeconds,7:F2} {pass.KernelMegabytesPerSecond,11:F1}");
Console.WriteLine($"peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");
Console.WriteLine("(cpu: process CPU time, fairer than wall time on a shared machine; x base: cpu time over the read-only baseline's;");
Console.WriteLine(" kernel MB/s: bytes over the wall time spent inside normalization + rules, or language ID, excluding reading)");

Console.WriteLine();
Console.WriteLine($"| reason | docs | % docs | chars | % chars |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
var totalChars = rules.Chars;
foreach (var (reason, (docs, chars)) in reasons.OrderByDescending(r => r.Value.Chars))
    Console.WriteLine($"| {reason} | {docs:N0} | {100.0 * docs / rules.Docs:F1} | {chars:N0} | {100.0 * chars / totalChars:F1} |");
var kept = rules.Docs - reasons.Values.Sum(r => r.Docs);
Console.WriteLine($"| (kept) | {kept:N0} | {100.0 * kept / rules.Docs:F1} | {totalChars - reasons.Values.Sum(r => r.Chars):N0} | {100.0 * (totalChars - reasons.Values.Sum(r => r.Chars)) / totalChars:F1} |");
return 0;
