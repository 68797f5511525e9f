using System.Text.Json;
using System.Text.Json.Serialization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Tests.Engine;

/// <summary>
/// Stage manifests and task stats are written and read through source-generated System.Text.Json metadata (start-up,
/// docs/scaleout.md). The reference is the reflection serializer with the settings the files have always had: the
/// bytes must be the same, and files it wrote must read back the same.
/// </summary>
public sealed class RunJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    [Fact]
    public void A_manifest_is_written_byte_for_byte_as_the_reflection_serializer_writes_it_and_reads_back()
    {
        using var dir = new TempDir();
        var manifest = new StageManifest("quality", "quality", [
            new TaskPlan(0, ["/in/a \"quoted\" é.parquet", "/in/b.parquet"], ["/out/part-00000.parquet", "/out/removed-00000.parquet"]),
            new TaskPlan(1, [], ["/out/part-00001.parquet"]),
        ]);
        var path = dir.File("manifest.json");
        manifest.Save(path);

        Assert.Equal(JsonSerializer.Serialize(manifest, Reflection), File.ReadAllText(path));
        var back = StageManifest.Load(path);
        Assert.Equal(("quality", "quality", 2), (back.Stage, back.Type, back.Tasks.Count));
        Assert.Equal(manifest.Tasks[0].Inputs, back.Tasks[0].Inputs);
        Assert.Equal(manifest.Tasks[0].Outputs, back.Tasks[0].Outputs);
        Assert.Equal(1, back.Tasks[1].Index);
    }

    [Fact]
    public void Task_stats_are_written_as_the_reflection_serializer_writes_them_and_read_back()
    {
        using var dir = new TempDir();
        var stats = new TaskStats();
        stats.Add("docs_in", 480);
        stats.Add("dropped.gopher_quality.short", 3);
        stats.Add("bytes_in", 5_807_230);
        stats.AddValue("seconds", 0.2220313);
        stats.SetValue("ratio", 1e-7);
        stats.AddExample("dropped.gopher_quality.short", "a \"short\" <doc> — ü\n");

        var json = stats.ToJson();
        Assert.Equal(JsonSerializer.Serialize(stats, Reflection), json);
        var path = dir.File("00000.stats.json");
        File.WriteAllText(path, json);
        var back = TaskStats.Load(path);
        Assert.Equal(stats.Counters, back.Counters);
        Assert.Equal(stats.Values, back.Values);
        Assert.Equal(stats.Examples["dropped.gopher_quality.short"], back.Examples["dropped.gopher_quality.short"]);
        Assert.Equal(["bytes_in", "docs_in", "dropped.gopher_quality.short"], back.Counters.Keys);
    }
}
