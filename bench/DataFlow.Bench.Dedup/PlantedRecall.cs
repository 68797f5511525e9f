using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Dedup;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// Scores what the pipeline actually removed against the corpus script's planted duplicates: a planted copy counts
/// as found when it and its source end in one cluster (one of them removed with the other's DocRef as cluster id,
/// or both removed with the same cluster id).
/// </summary>
internal static class PlantedRecall
{
    public static void Print(RunFolder run, string truthFile, string removedDir)
    {
        // DocRef -> id, by re-reading each signatures task's inputs in order, as the filter does.
        var manifest = StageManifest.Load(run.ManifestFile("dedup.signatures"));
        var docRefOf = new Dictionary<string, ulong>();
        foreach (var task in manifest.Tasks)
        {
            long ordinal = 0;
            foreach (var file in task.Inputs)
                foreach (var doc in DocumentSources.Read(file, ReadOptions.Default with { KeepMetadata = false }, new ThrowingRejects()))
                    docRefOf[doc.Id] = DocRef.Make(task.Index, ordinal++);
        }
        var cluster = new Dictionary<string, long>();
        foreach (var file in Directory.GetFiles(removedDir, "part-*.parquet"))
            foreach (var doc in ParquetDocumentReader.Read(file, ReadOptions.Default, new ThrowingRejects()))
                cluster[doc.Id] = Convert.ToInt64(doc["cluster_id"]);
        long ClusterOf(string id) => cluster.TryGetValue(id, out var c) ? c : (long)docRefOf[id];

        Console.WriteLine("| planted kind | count | found by the pipeline |\n| --- | --- | --- |");
        var planted = File.ReadLines(truthFile).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Id: e.GetProperty("id").GetString()!, Source: e.GetProperty("source").GetString()!, Kind: e.GetProperty("kind").GetString()!));
        foreach (var group in planted.GroupBy(p => p.Kind).OrderBy(g => g.Key))
            Console.WriteLine($"| {group.Key} | {group.Count()} | {group.Count(p => ClusterOf(p.Id) == ClusterOf(p.Source))} |");
    }
}
