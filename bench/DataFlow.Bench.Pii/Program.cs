using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DataFlow.Bench.Pii;
using DataFlow.Text.Pii;

// dataflow PII harness (single thread, so MB/s is per core):
//   throughput FILE...   full detector set vs a plain copy of the same documents, same run
//   eval EVAL.jsonl      per-type recall and precision on a labelled set (scripts/make-pii-eval.py)
//   corpus FILE...       what is flagged per MB on real prose, with masked examples
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DataFlow.Bench.Pii (throughput|eval|corpus) FILE...");
    return 2;
}
return args[0] switch
{
    "throughput" => Throughput(args[1..]),
    "eval" => Evaluate(args[1]),
    "corpus" => Corpus(args[1..]),
    _ => 2,
};

static int Throughput(string[] files)
{
    var texts = TextCorpus.Load(files);
    double mb = texts.Sum(t => (double)Encoding.UTF8.GetByteCount(t)) / 1e6;
    Console.WriteLine($"{texts.Count} documents, {mb:F1} MB UTF-8 from {string.Join(", ", files.Select(Path.GetFileName))}");
    var scanner = new PiiScanner();
    var redactor = new PiiRedactor(new Dictionary<PiiType, PiiPolicy>());
    var buffer = new char[texts.Max(t => t.Length)];
    var matches = new List<PiiMatch>();
    long sink = 0;

    double Measure(string name, Action<string> work)
    {
        // Warm up until the JIT has settled (two full passes, at least half a second), then time passes for at least 2 s.
        var warm = Stopwatch.StartNew();
        for (int pass = 0; pass < 2 || warm.Elapsed.TotalSeconds < 0.5; pass++) foreach (var t in texts) work(t);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || total.Elapsed.TotalSeconds < 2)
        {
            var clock = Stopwatch.StartNew();
            foreach (var t in texts) work(t);
            times.Add(clock.Elapsed.TotalSeconds);
        }
        times.Sort();
        var best = times[0];
        var median = times[times.Count / 2];
        Console.WriteLine($"{name,-28} {mb / best,9:F1} MB/s best, {mb / median,9:F1} MB/s median of {times.Count} passes");
        return mb / median;
    }

    var copy = Measure("plain copy (memcpy)", t => { t.AsSpan().CopyTo(buffer); sink += buffer[0]; });
    var copyNew = Measure("plain copy (new string)", t => sink += new string(t.AsSpan()).Length);
    // Reference in the same run: datatrove's approach (email and IPv4 regexes over the whole text), compiled .NET regexes.
    var email = new System.Text.RegularExpressions.Regex(@"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", System.Text.RegularExpressions.RegexOptions.Compiled);
    var ipv4 = new System.Text.RegularExpressions.Regex(@"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)", System.Text.RegularExpressions.RegexOptions.Compiled);
    Measure("regex email+IPv4 (reference)", t => sink += email.Count(t) + ipv4.Count(t));
    var scan = Measure("scan, all detectors", t => { matches.Clear(); scanner.Scan(t, matches); sink += matches.Count; });
    var scrub = Measure("scan + tag (stage work)", t => { matches.Clear(); scanner.Scan(t, matches); sink += redactor.Redact(t, matches).Text.Length; });
    Console.WriteLine($"ratio scan / new-string copy: {scan / copyNew:F2}; scan+tag / new-string copy: {scrub / copyNew:F2}; peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB; (sink {sink % 10})");
    return 0;
}

static int Evaluate(string path)
{
    var scanner = new PiiScanner();
    var types = PiiTypes.All.Select(PiiTypes.ConfigName).ToList();
    var tp = types.ToDictionary(t => t, _ => 0);
    var fn = types.ToDictionary(t => t, _ => 0);
    var fp = types.ToDictionary(t => t, _ => 0);
    var decoyKinds = new SortedDictionary<string, (int Total, int Flagged)>();
    var misses = new List<string>();
    var falseHits = new List<string>();
    int docs = 0;
    foreach (var line in File.ReadLines(path))
    {
        docs++;
        using var doc = JsonDocument.Parse(line);
        var text = doc.RootElement.GetProperty("text").GetString()!;
        var found = scanner.Scan(text).Select(m => (Type: PiiTypes.ConfigName(m.Type), Value: text.Substring(m.Start, m.Length))).ToList();
        var labels = doc.RootElement.GetProperty("labels").EnumerateArray()
            .Select(l => (Type: l.GetProperty("type").GetString()!, Value: l.GetProperty("value").GetString()!)).ToList();
        foreach (var label in labels)
        {
            int i = found.IndexOf(label);
            if (i >= 0) { tp[label.Type]++; found.RemoveAt(i); }
            else { fn[label.Type]++; misses.Add($"{label.Type}: {label.Value.ReplaceLineEndings("\\n")}"); }
        }
        var decoys = doc.RootElement.GetProperty("decoys").EnumerateArray()
            .Select(d => (Kind: d.GetProperty("kind").GetString()!, Value: d.GetProperty("value").GetString()!)).ToList();
        foreach (var d in decoys)
        {
            var flagged = found.Any(f => d.Value.Contains(f.Value) || f.Value.Contains(d.Value));
            var (total, hits) = decoyKinds.GetValueOrDefault(d.Kind);
            decoyKinds[d.Kind] = (total + 1, hits + (flagged ? 1 : 0));
        }
        foreach (var f in found)
        {
            fp[f.Type]++;
            falseHits.Add($"{f.Type}: {f.Value.ReplaceLineEndings("\\n")}");
        }
    }
    Console.WriteLine($"{docs} documents from {Path.GetFileName(path)}");
    Console.WriteLine("| type | planted | found | missed | false hits | recall | precision |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var t in types)
    {
        int planted = tp[t] + fn[t];
        double recall = planted == 0 ? double.NaN : (double)tp[t] / planted;
        double precision = tp[t] + fp[t] == 0 ? double.NaN : (double)tp[t] / (tp[t] + fp[t]);
        Console.WriteLine($"| {t} | {planted} | {tp[t]} | {fn[t]} | {fp[t]} | {recall:F4} | {precision:F4} |");
    }
    int allTp = tp.Values.Sum(), allFn = fn.Values.Sum(), allFp = fp.Values.Sum();
    Console.WriteLine($"| all | {allTp + allFn} | {allTp} | {allFn} | {allFp} | {(double)allTp / (allTp + allFn):F4} | {(double)allTp / (allTp + allFp):F4} |");
    Console.WriteLine();
    Console.WriteLine("| decoy kind | planted | flagged |");
    Console.WriteLine("| --- | ---: | ---: |");
    foreach (var (kind, (total, hits)) in decoyKinds) Console.WriteLine($"| {kind} | {total} | {hits} |");
    foreach (var m in misses.Take(30)) Console.WriteLine("MISSED " + m);
    foreach (var f in falseHits.Take(30)) Console.WriteLine("FALSE  " + f);
    return 0;
}

static int Corpus(string[] files)
{
    var scanner = new PiiScanner();
    var texts = TextCorpus.Load(files);
    double mb = texts.Sum(t => (double)Encoding.UTF8.GetByteCount(t)) / 1e6;
    var counts = new SortedDictionary<string, int>();
    var examples = new Dictionary<string, List<string>>();
    foreach (var text in texts)
    {
        foreach (var m in scanner.Scan(text))
        {
            var type = PiiTypes.ConfigName(m.Type);
            counts[type] = counts.GetValueOrDefault(type) + 1;
            if (!examples.TryGetValue(type, out var list)) examples[type] = list = [];
            // Masked context plus the value's shape (digits -> 9, letters -> a): enough to judge by eye, nothing to leak.
            int from = Math.Max(0, m.Start - 50), to = Math.Min(text.Length, m.End + 50);
            var shape = string.Concat(text.AsSpan(m.Start, Math.Min(m.Length, 60)).ToArray().Select(ch => char.IsAsciiDigit(ch) ? '9' : char.IsLetter(ch) ? 'a' : ch));
            var shown = $"[{shape}] …{PiiMask.ForDisplay(text[from..to]).ReplaceLineEndings(" ")}…";
            if (list.Count < 25 && !list.Contains(shown)) list.Add(shown);
        }
    }
    Console.WriteLine($"{texts.Count} documents, {mb:F1} MB from {string.Join(", ", files.Select(Path.GetFileName))}");
    Console.WriteLine("| type | flagged | per MB |");
    Console.WriteLine("| --- | ---: | ---: |");
    foreach (var (type, n) in counts) Console.WriteLine($"| {type} | {n} | {n / mb:F3} |");
    foreach (var (type, list) in examples)
        foreach (var e in list) Console.WriteLine($"{type}: {e}");
    return 0;
}
