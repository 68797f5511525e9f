using DataFlow.Engine.Config;
using DataFlow.Jobs;

namespace DataFlow.Tests.Dedup;

public sealed class DedupConfigTests
{
    private static DataFlow.Engine.Jobs.Pipeline Load(string stageKeys) => PipelineLoader.Load($"""
        stages:
          - type: dedup
            input: /tmp
        {string.Join('\n', stageKeys.Split('\n').Select(l => "    " + l))}
        """, "p.yaml", StandardStages.Create(), "/tmp");

    [Fact]
    public void Dedup_becomes_four_stages_and_the_filter_keeps_the_stage_name()
    {
        var pipeline = Load("name: near\nbands: 20\nrows: 5");
        Assert.Equal(["near.signatures", "near.buckets", "near.clusters", "near"], pipeline.Stages.Select(s => s.Name).ToArray());
    }

    [Theory]
    [InlineData("keep: biggest", "keep")]
    [InlineData("bands: 0", "bands")]
    [InlineData("verify_threshold: 1.5", "verify_threshold")]
    [InlineData("exact: false\nminhash: false", "minhash")]
    [InlineData("band: 14", "band")]
    [InlineData("exact: maybe", "exact")]
    public void Bad_keys_are_reported_with_file_line_and_key(string keys, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Load(keys));
        Assert.Contains("p.yaml:", e.Message);
        Assert.Contains(key, e.Message);
    }
}
