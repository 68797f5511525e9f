using System.Text.Json;
using DataFlow.Text.Chat;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// Writes the synthetic verifiable instruction set: SFT train/eval (<c>prompt/completion/task</c>) and preference
/// train/eval (<c>prompt/chosen/rejected</c>: the right answer against a plausible wrong one). Held-out prompts never
/// occur in the training files.
/// </summary>
public static class VerifiableSetWriter
{
    public static void Write(string directory, int trainCount, int evalCount, int seed, int maxOperand)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        var seen = new HashSet<string>();
        List<VerifiableExample> Draw(int count)
        {
            var list = new List<VerifiableExample>();
            for (var attempts = 0; list.Count < count && attempts < count * 50; attempts++)
            {
                var example = VerifiableTasks.Generate(random, maxOperand);
                if (seen.Add(example.Prompt)) list.Add(example);
            }
            return list;
        }
        var eval = Draw(evalCount); // drawn first so small operand spaces still keep a full held-out split
        var train = Draw(trainCount);
        WriteSft(Path.Combine(directory, "sft-train.jsonl"), train);
        WriteSft(Path.Combine(directory, "sft-eval.jsonl"), eval);
        WritePairs(Path.Combine(directory, "pairs-train.jsonl"), train, random);
        WritePairs(Path.Combine(directory, "pairs-eval.jsonl"), eval, random);
    }

    private static void WriteSft(string path, List<VerifiableExample> examples) =>
        File.WriteAllLines(path, examples.Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, completion = e.Answer, task = e.Task })));

    private static void WritePairs(string path, List<VerifiableExample> examples, Random random) =>
        File.WriteAllLines(path, examples.Select(e => JsonSerializer.Serialize(new { prompt = e.Prompt, chosen = e.Answer, rejected = VerifiableTasks.WrongAnswer(e, random), task = e.Task })));
}
