using DataFlow.Engine.Metrics;

namespace DataFlow.Tests.Engine;

/// <summary>metrics.jsonl written and read back by the one class that does both, checked against lines written by hand.</summary>
public sealed class MetricsLogTests
{
    [Fact]
    public void Read_gives_one_series_per_numeric_field_against_the_step_and_skips_a_cut_line()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.jsonl");
        File.WriteAllLines(path,
        [
            """{"step": 1, "loss": 4.5, "lr": 0.001, "epoch": 0}""",
            """{"step": 2, "loss": 4.25, "lr": 0.001, "note": "text is not a series"}""",
            "",
            """{"step": 2, "val_loss": 4.0, "val_ppl": 54.6}""",
            """{"step": 3, "loss": 4.0""", // cut off by a killed writer
        ]);
        var metrics = MetricsLog.Read(path);
        Assert.Equal("step", metrics.StepName);
        Assert.Equal(["loss", "lr", "val_loss", "val_ppl"], metrics.Series.Select(s => s.Key));
        Assert.Equal([(1.0, 4.5), (2.0, 4.25)], metrics.Get("loss")!);
        Assert.Equal([(2.0, 4.0)], metrics.Get("val_loss")!);
        Assert.Null(metrics.Get("epoch"));
        Assert.Null(metrics.Get("note"));
        Assert.Null(metrics.Varying("lr")); // a constant is no chart
        Assert.NotNull(metrics.Varying("loss"));
    }

    [Fact]
    public void Ppo_lines_count_by_iteration_and_a_resume_drops_the_lines_after_its_step()
    {
        using var dir = new TempDir();
        var path = dir.File("metrics.jsonl");
        using (var log = new MetricsLog(path, stepKey: "iteration"))
            for (var i = 1; i <= 4; i++) log.Write(new { iteration = i, reward_mean = i * 0.5 });
        using (var log = new MetricsLog(path, resumeFromStep: 2, stepKey: "iteration")) log.Write(new { iteration = 3, reward_mean = 9.0 });
        var metrics = MetricsLog.Read(path);
        Assert.Equal("iteration", metrics.StepName);
        Assert.Equal([(1.0, 0.5), (2.0, 1.0), (3.0, 9.0)], metrics.Get("reward_mean")!);
    }
}
