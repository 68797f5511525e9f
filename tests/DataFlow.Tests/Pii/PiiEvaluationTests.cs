using System.Diagnostics;
using System.Text.Json;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>
/// Regression guard for the accuracy reported in docs/pii.md: generates a fresh labelled set with
/// scripts/make-pii-eval.py (a seed not used while tuning) and requires recall and precision >= 0.99 for every type.
/// </summary>
public sealed class PiiEvaluationTests
{
    [SkippableFact]
    public void EveryTypeReachesRecallAndPrecisionOfPointNineNine()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DataFlow.sln"))) root = Path.GetDirectoryName(root)!;
        var script = Path.Combine(root, "scripts", "make-pii-eval.py");
        Skip.IfNot(File.Exists(Path.Combine(root, "data", "sample", "moby-dick.jsonl.gz")), "data/sample is missing (scripts/make-sample-data.py builds it)");
        using var dir = new TempDir();
        var output = dir.File("eval.jsonl");
        Process? python = null;
        try
        {
            python = Process.Start(new ProcessStartInfo("python3", [script, output, "1500", "17"]) { RedirectStandardError = true });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Skip.If(true, "python3 is not installed");
        }
        python!.WaitForExit();
        Assert.True(python.ExitCode == 0, python.StandardError.ReadToEnd());

        var scanner = new PiiScanner();
        var tp = new Dictionary<string, int>();
        var fn = new Dictionary<string, int>();
        var fp = new Dictionary<string, int>();
        foreach (var line in File.ReadLines(output))
        {
            using var doc = JsonDocument.Parse(line);
            var text = doc.RootElement.GetProperty("text").GetString()!;
            var found = scanner.Scan(text).Select(m => (PiiTypes.ConfigName(m.Type), text.Substring(m.Start, m.Length))).ToList();
            foreach (var label in doc.RootElement.GetProperty("labels").EnumerateArray())
            {
                var key = (label.GetProperty("type").GetString()!, label.GetProperty("value").GetString()!);
                var hit = found.Remove(key);
                var counts = hit ? tp : fn;
                counts[key.Item1] = counts.GetValueOrDefault(key.Item1) + 1;
            }
            foreach (var (type, _) in found) fp[type] = fp.GetValueOrDefault(type) + 1;
        }
        foreach (var type in PiiTypes.All.Select(PiiTypes.ConfigName))
        {
            int t = tp.GetValueOrDefault(type), n = fn.GetValueOrDefault(type), p = fp.GetValueOrDefault(type);
            Assert.True(t + n >= 30, $"{type}: only {t + n} planted");
            Assert.True((double)t / (t + n) >= 0.99, $"{type}: recall {t}/{t + n}");
            Assert.True((double)t / (t + p) >= 0.99, $"{type}: precision {t}/{t + p}");
        }
    }
}
