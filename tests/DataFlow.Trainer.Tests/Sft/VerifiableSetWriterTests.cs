using System.Text.Json;
using DataFlow.Jobs.Training.Sft;

namespace DataFlow.Trainer.Tests.Sft;

public sealed class VerifiableSetWriterTests
{
    private static List<string> Prompts(string file) =>
        File.ReadLines(file).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("prompt").GetString()!).ToList();

    [Fact]
    public void Ppo_prompts_are_apart_from_the_sft_and_held_out_prompts_and_leave_the_other_files_unchanged()
    {
        var with = TinyModels.TempDir("verifiable-ppo");
        var without = TinyModels.TempDir("verifiable-plain");
        VerifiableSetWriter.Write(with, trainCount: 300, evalCount: 50, seed: 3, maxOperand: 20, ppoCount: 200);
        VerifiableSetWriter.Write(without, trainCount: 300, evalCount: 50, seed: 3, maxOperand: 20);

        var ppo = Prompts(Path.Combine(with, VerifiableSetWriter.PpoPromptsFile));
        Assert.Equal(200, ppo.Count);
        Assert.Equal(ppo.Count, ppo.Distinct().Count());
        Assert.Empty(ppo.Intersect(Prompts(Path.Combine(with, "sft-train.jsonl"))));
        Assert.Empty(ppo.Intersect(Prompts(Path.Combine(with, "sft-eval.jsonl"))));
        Assert.False(File.Exists(Path.Combine(without, VerifiableSetWriter.PpoPromptsFile)));
        foreach (var file in new[] { "sft-train.jsonl", "sft-eval.jsonl", "pairs-train.jsonl", "pairs-eval.jsonl" })
            Assert.Equal(File.ReadAllText(Path.Combine(without, file)), File.ReadAllText(Path.Combine(with, file)));
    }
}
