using System.Diagnostics;
using System.Text.Json;

namespace DataFlow.Mpi.Tests;

/// <summary>`dataflow train pretrain --distributed mpi` end to end: 2 ranks on token shards log the losses 1 rank logs.</summary>
public sealed class TrainCommandTests
{
    [MpiFact]
    public void PretrainOnTwoRanksLogsTheLossesOfOneRankAndOnlyRankZeroWrites()
    {
        var root = Path.Combine(Path.GetTempPath(), "dataflow-mpi-tests", Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            Run("dotnet", [Harness, "write-dataset", data]);
            string Config(string output)
            {
                var file = Path.Combine(root, output + ".yaml");
                File.WriteAllText(file, $"""
                data: {data}
                output: {Path.Combine(root, output)}
                model:
                  dim: 32
                  layers: 2
                  heads: 4
                training:
                  batch_size: 8
                  max_steps: 12
                  warmup_steps: 2
                  learning_rate: 3.0e-3
                  eval_every: 6
                  eval_batches: 2
                  checkpoint_every: 6
                  log_every: 3
                  threads: 1
                """);
                return file;
            }
            Run("mpirun", [.. MpiArgs(1), "dotnet", Dataflow, "train", "pretrain", "--config", Config("one"), "--distributed", "mpi"]);
            var two = Run("mpirun", [.. MpiArgs(2), "dotnet", Dataflow, "train", "pretrain", "--config", Config("two"), "--distributed", "mpi"]);

            Assert.Contains("data parallel over 2 MPI rank(s): 4 rows per rank", two);
            Assert.Single(two.Split('\n'), l => l.StartsWith("done:", StringComparison.Ordinal)); // rank 0 alone reports
            var expected = Losses(Path.Combine(root, "one", "metrics.jsonl"));
            var actual = Losses(Path.Combine(root, "two", "metrics.jsonl"));
            Assert.Equal(12, expected.Count);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"step {i + 1}: {actual[i]} vs {expected[i]}");
            Assert.Contains("checkpoint " + Path.Combine(root, "two", "checkpoints", "step-00000012"), two);
            Assert.True(Directory.Exists(Path.Combine(root, "two", "checkpoints", "step-00000012")), two);
            Assert.Contains("val_loss", File.ReadAllText(Path.Combine(root, "two", "metrics.jsonl")));
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static string Harness => Path.Combine(AppContext.BaseDirectory, "DataFlow.Mpi.Harness.dll");
    private static string Dataflow => Path.Combine(AppContext.BaseDirectory, "dataflow.dll");

    private static string[] MpiArgs(int ranks) => ["--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), "-x", "TERM=dumb"];

    private static List<double> Losses(string metrics) =>
        File.ReadLines(metrics).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("loss", out _)).Select(e => e.GetProperty("loss").GetDouble()).ToList();

    private static string Run(string command, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{command} ran over 3 minutes");
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} exited {process.ExitCode}\n{output}\n{error.Result}");
        return output;
    }
}
