using DataFlow.Trainer.Ppo;

namespace DataFlow.Trainer.Tests.Ppo;

public class PpoPlotsTests
{
    [Fact]
    public void One_png_per_listed_metric_the_file_has()
    {
        var dir = TinyModels.TempDir("ppo-plots");
        var metrics = Path.Combine(dir, "metrics.jsonl");
        File.WriteAllLines(metrics,
        [
            """{"iteration": 1, "reward_mean": 0.1, "kl_coef": 0.05, "not_listed": 3}""",
            """{"iteration": 2, "reward_mean": 0.3, "kl_coef": 0.05}""",
            """{"iteration": 2, "eval_vs_sft_true_score_gain": 0.2, "eval_vs_sft_true_score_gain_ci_low": 0.1, "eval_vs_sft_true_score_gain_ci_high": 0.3}""",
            """{"iteration": 3, "reward_mean": 0.2""", // cut off by a killed writer
        ]);
        var plots = Path.Combine(dir, "plots");
        Assert.Equal(3, PpoPlots.Write(metrics, plots));
        Assert.Equal(["eval_vs_sft_true_score_gain.png", "kl_coef.png", "reward_mean.png"],
            Directory.GetFiles(plots).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var png in Directory.GetFiles(plots))
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }
}
