using DataFlow.Trainer.Data;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

/// <summary>Small models and data that train in milliseconds per step.</summary>
internal static class TinyModels
{
    public static ModelConfig Config(int kvHeads = 0) => new()
    {
        VocabSize = 17, Dim = 32, Layers = 2, Heads = 4, KvHeads = kvHeads, ContextLength = 24,
    };

    public static Transformer Build(ModelConfig? config = null, long seed = 7)
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(seed);
        return new Transformer(config ?? Config());
    }

    /// <summary>A learnable stream: counting modulo 16 with occasional jumps, cut into rows of seqLen + 1.</summary>
    public static int[][] Rows(int rowCount, int seqLen, int seed = 3)
    {
        var random = new Random(seed);
        var stream = new int[rowCount * (seqLen + 1)];
        var value = 0;
        for (var i = 0; i < stream.Length; i++)
        {
            value = random.Next(10) == 0 ? random.Next(16) : (value + 1) % 16;
            stream[i] = value;
        }
        return InMemoryTokenBatches.Chunk(stream, seqLen);
    }

    private static readonly string TempRoot = Path.Combine(Path.GetTempPath(), "dataflow-trainer-tests");

    /// <summary>Folders of earlier runs are removed once they are an hour old, so checkpoints do not pile up in /tmp.</summary>
    static TinyModels()
    {
        if (!Directory.Exists(TempRoot)) return;
        foreach (var old in Directory.EnumerateDirectories(TempRoot).Where(d => Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow.AddHours(-1)))
        {
            try { Directory.Delete(old, recursive: true); }
            catch (IOException) { }
        }
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(TempRoot, $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
