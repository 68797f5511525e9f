using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Bench.Quality;

/// <summary>
/// `decisions OUT_DIR`: one JSON line {"id", "keep", "reason"} per document of a `dataflow quality --keep-removed`
/// output folder (kept shards in OUT_DIR, dropped ones with their reason in OUT_DIR/removed), for comparison with
/// datatrove's decisions (bench/quality-agreement).
/// </summary>
public static class DecisionDump
{
    public static int Run(string outDir)
    {
        var rejects = new ThrowingRejects();
        var stdout = Console.Out;
        foreach (var file in Directory.GetFiles(outDir, "*.parquet").Order(StringComparer.Ordinal))
            foreach (var doc in ParquetDocumentReader.Read(file, ReadOptions.Default, rejects))
                stdout.WriteLine(JsonSerializer.Serialize(new { id = doc.Id, keep = true, reason = (string?)null }));
        var removed = Path.Combine(outDir, "removed");
        if (Directory.Exists(removed))
            foreach (var file in Directory.GetFiles(removed, "*.parquet").Order(StringComparer.Ordinal))
                foreach (var doc in ParquetDocumentReader.Read(file, ReadOptions.Default, rejects))
                    stdout.WriteLine(JsonSerializer.Serialize(new { id = doc.Id, keep = false, reason = doc.Columns?.GetValueOrDefault("reason") as string }));
        return 0;
    }

    private sealed class ThrowingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidDataException($"unreadable record in a DataFlow output shard: {reject}");
    }
}
