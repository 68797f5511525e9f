using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Slurm.Tests;

/// <summary>Reads back every row a stage wrote, shard by shard, so two runs can be compared exactly.</summary>
public static class RunFolderRows
{
    public static SortedDictionary<string, List<string>> Read(string runDir, string stage)
    {
        var run = new RunFolder(runDir);
        var manifest = StageManifest.Load(run.ManifestFile(stage));
        var shards = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var output in manifest.AllOutputs)
        {
            var rows = new List<string>();
            foreach (var doc in ParquetDocumentReader.Read(output, ReadOptions.Default, new FailingRejects()))
                rows.Add($"{doc.Id}\u0001{doc.Source}\u0001{doc.Metadata}\u0001{doc.Text}");
            shards[Path.GetFileName(output)] = rows;
        }
        return shards;
    }

    public static int LeftoverTemporaries(string runDir) =>
        Directory.EnumerateFiles(runDir, "*.tmp", SearchOption.AllDirectories).Count();

    private sealed class FailingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidDataException($"unreadable row in a stage output: {reject}");
    }
}
