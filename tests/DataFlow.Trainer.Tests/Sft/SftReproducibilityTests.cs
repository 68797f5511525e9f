using System.Diagnostics;
using System.Text.Json;

namespace DataFlow.Trainer.Tests.Sft;

/// <summary>Two separate processes with the same SFT config train on the same data order and log the same losses.</summary>
public class SftReproducibilityTests
{
    [Fact]
    public async Task Two_processes_with_the_same_config_log_identical_losses()
    {
        var directory = RlhfFixtures.TempDirectory();
        var data = RlhfFixtures.WriteSyntheticTasks(directory, 200, seed: 5);
        var losses = new List<List<double>>();
        foreach (var run in new[] { "a", "b" })
        {
            var output = Path.Combine(directory, run);
            var config = Path.Combine(directory, run + ".yaml");
            File.WriteAllText(config, $"""
                train: ['{data}']
                output: '{output}'
                model: {"{"} vocab_size: 262, dim: 32, layers: 2, heads: 4, context_length: 64 {"}"}
                max_steps: 8
                batch_size: 4
                warmup_steps: 2
                eval_every: 100
                checkpoint_every: 100
                sample_count: 2
                seed: 9
                threads: 1
                """);
            var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "dataflow.dll"), "train", "sft", "--config", config])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr);
            losses.Add(File.ReadLines(Path.Combine(output, "metrics.jsonl"))
                .Select(line => JsonDocument.Parse(line).RootElement)
                .Where(e => e.TryGetProperty("loss", out _))
                .Select(e => e.GetProperty("loss").GetDouble()).ToList());
        }
        Assert.NotEmpty(losses[0]);
        Assert.Equal(losses[0], losses[1]);
    }
}
