using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Tests.Sft;

/// <summary>Small shapes and data the RLHF tests share: a 2-layer byte-level model and synthetic task files.</summary>
internal static class RlhfFixtures
{
    public static ModelConfig Config(int vocab = 262) => new() { VocabSize = vocab, Dim = 32, Layers = 2, Heads = 4, ContextLength = 64 };

    /// <summary>Writes <paramref name="count"/> synthetic prompt/completion records to a temp JSONL file.</summary>
    public static string WriteSyntheticTasks(string directory, int count, int seed)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"tasks-{seed}.jsonl");
        var random = new Random(seed);
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(_ => VerifiableTasks.Generate(random))
            .Select(e => System.Text.Json.JsonSerializer.Serialize(new { prompt = e.Prompt, completion = e.Answer })));
        return path;
    }

    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "dataflow-rlhf-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
