using System.Diagnostics;
using DataFlow.Engine.Documents;
using DataFlow.Trainer.Tests.Interop;

namespace DataFlow.Trainer.Tests.Perplexity;

/// <summary>The job model's promise for both engine stages of a bucketing perplexity stage: kill at any moment, rerun, same output.</summary>
public sealed class PerplexityResumeTests
{
    [Fact]
    public void A_killed_bucketing_run_resumes_to_the_uninterrupted_output()
    {
        var (folder, _) = HfFixtures.ModelFolder("ppl-resume", TinyModels.Config() with { Dim = 64, Layers = 3, ContextLength = 128 }, seed: 29);
        var dir = Path.GetDirectoryName(folder)!;
        var lines = HfFixtures.MixedLines(1200).Where(l => l.Trim().Length > 0).ToList();
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        for (var f = 0; f < 6; f++)
            File.WriteAllLines(Path.Combine(dir, "in", $"f{f}.jsonl"), Enumerable.Range(0, 40).Select(i =>
                System.Text.Json.JsonSerializer.Serialize(new { id = $"f{f}-{i}", text = string.Join("\n", lines.Skip((f * 40 + i) * 4 % (lines.Count - 8)).Take(6)) })));
        File.WriteAllText(Path.Combine(dir, "p.yaml"), $"""
            workers: 1
            stages:
              - type: perplexity
                input: {Path.Combine(dir, "in", "*.jsonl")}
                tasks: 6
                model: {folder}
                max_tokens: 512
                batch_tokens: 1024
                keep_removed: true
                buckets: {"{"}keep: [head, middle]{"}"}
            """);
        Assert.Equal(0, ExitCode(Cli(dir, "runs/reference")));

        var random = new Random(7);
        var kills = 0;
        int DoneMarkers() => Directory.Exists(Path.Combine(dir, "runs/killed"))
            ? Directory.EnumerateFiles(Path.Combine(dir, "runs/killed"), "*.done", SearchOption.AllDirectories).Count() : 0;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            using var process = Cli(dir, "runs/killed");
            var before = DoneMarkers();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DoneMarkers() == before && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(5);
            Thread.Sleep(random.Next(0, 200));
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                kills++;
            }
            process.WaitForExit();
        }
        Assert.True(kills >= 1, "no run was killed mid-way; the test did not exercise resume");
        Assert.Equal(0, ExitCode(Cli(dir, "runs/killed")));

        var expected = Read(Path.Combine(dir, "runs/reference/stages/perplexity/out"));
        var actual = Read(Path.Combine(dir, "runs/killed/stages/perplexity/out"));
        Assert.Equal(240, expected.Count);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (id, document) in expected)
        {
            Assert.Equal(document["bucket"], actual[id]["bucket"]);
            Assert.Equal((double)document["perplexity"]!, (double)actual[id]["perplexity"]!, 1e-9);
        }
    }

    private static Process Cli(string dir, string runDir)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "dataflow.dll"), "run", "p.yaml", "--run-dir", runDir])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.Environment["TERM"] = "dumb";
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static int ExitCode(Process process)
    {
        using (process)
        {
            process.WaitForExit();
            return process.ExitCode;
        }
    }

    private static Dictionary<string, Document> Read(string folder) =>
        new[] { folder, Path.Combine(folder, "removed") }.SelectMany(f => Directory.GetFiles(f, "part-*.parquet"))
            .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new FailingRejects())).ToDictionary(d => d.Id);

    private sealed class FailingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidDataException(reject.ToString());
    }
}
