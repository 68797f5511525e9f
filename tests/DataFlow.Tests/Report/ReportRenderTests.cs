using System.Diagnostics;

namespace DataFlow.Tests.Report;

/// <summary>The run report renders in a real headless Chromium: no script errors, every image loads, no unmasked PII.</summary>
public class ReportRenderTests
{
    private const string Email = "jane.roe@example.org";

    [SkippableFact]
    public void Report_renders_in_headless_chromium_with_every_image()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "chromium is not installed (.ci/run installs Debian's chromium)");
        using var dir = new TempDir();
        using (var w = new StreamWriter(dir.File("in.jsonl")))
        {
            for (var i = 0; i < 60; i++)
            {
                var text = i % 10 == 0 ? "short" : $"Document {i} talks about rivers and ships. Write to {Email} for more. " +
                    string.Join(" ", Enumerable.Range(0, 80).Select(k => $"word{(k * 7 + i) % 50}")) + ".";
                w.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { id = $"d{i}", text }));
            }
        }
        File.WriteAllText(dir.File("metrics.jsonl"), "");
        File.WriteAllText(dir.File("p.yaml"), """
            workers: 2
            stages:
              - type: ingest
                input: in.jsonl
                tasks: 2
              - type: sample
                fraction: 0.8
              - type: pii
                policy: keep
              - type: report
            """);
        var run = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.True(run.ExitCode == 0, run.Stderr);
        // Training stages write metrics JSONL and sample generations; plant some so every report section renders.
        Directory.CreateDirectory(dir.File("r/stages/sample/out/train"));
        File.WriteAllLines(dir.File("r/stages/sample/out/train/metrics.jsonl"),
            Enumerable.Range(0, 20).Select(s => $"{{\"step\":{s},\"loss\":{5.0 / (s + 1):F3},\"eval_loss\":{5.5 / (s + 1):F3},\"lr\":0.001}}"));
        File.WriteAllText(dir.File("r/stages/sample/out/train/samples.jsonl"), $"{{\"step\":10,\"prompt\":\"mail me\",\"response\":\"at {Email}\"}}\n");
        var report = CliProcess.Run(dir.Path, "report", "r");
        Assert.True(report.ExitCode == 0, report.Stderr);
        var index = dir.File("r/report/index.html");
        var html = File.ReadAllText(index);
        Assert.DoesNotContain(Email, html);
        foreach (var svg in Directory.GetFiles(dir.File("r/report/img"))) Assert.DoesNotContain(Email, File.ReadAllText(svg));
        Assert.Contains("Drop reasons", html);
        Assert.Contains("img/", html);

        var dom = Chromium(chromium!, dir.Path, "--dump-dom", index);
        var images = System.Text.RegularExpressions.Regex.Match(dom, "data-images=\"(\\d+)/(\\d+)\"");
        Assert.True(images.Success, "the page's load handler did not run: " + dom[..Math.Min(400, dom.Length)]);
        Assert.True(int.Parse(images.Groups[2].Value) >= 5, $"only {images.Groups[2].Value} images in the report");
        Assert.Equal(images.Groups[2].Value, images.Groups[1].Value);
        Assert.DoesNotContain("data-errors=\"1\"", dom);

        var png = dir.File("report.png");
        Chromium(chromium!, dir.Path, $"--screenshot={png}", "--window-size=1200,3000", index);
        Assert.True(new FileInfo(png).Length > 10_000, "screenshot is missing or empty");
    }

    private static string Chromium(string chromium, string workDir, params string[] args)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--allow-file-access-from-files", $"--user-data-dir={Path.Combine(workDir, "chromium-profile")}",
                     "--virtual-time-budget=5000" })
            info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        return stdout.Result;
    }
}
