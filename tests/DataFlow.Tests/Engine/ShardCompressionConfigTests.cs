using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using ParquetSharp;

namespace DataFlow.Tests.Engine;

public class ShardCompressionConfigTests
{
    private static (Compression, int) Load(string keys)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"x\"}\n");
        var pipeline = PipelineLoader.Load($"stages:\n  - type: ingest\n    input: in.jsonl\n{keys}", "p.yaml", StandardStages.Create(), dir.Path);
        var write = ((DocumentStageJob)pipeline.Stages[0].Job).Options.Write;
        return (write.Compression, write.Level);
    }

    [Fact]
    public void Names_and_level_numbers_map_to_the_codec()
    {
        Assert.Equal((Compression.Zstd, 1), Load(""));
        Assert.Equal((Compression.Zstd, 3), Load("    compression_level: optimal\n"));
        Assert.Equal((Compression.Zstd, -1), Load("    compression_level: -1\n"));
        Assert.Equal((Compression.Gzip, 9), Load("    compression: gzip\n    compression_level: smallest\n"));
        Assert.Equal((Compression.Uncompressed, 1), Load("    compression: none\n"));
    }

    [Fact]
    public void A_level_the_codec_lacks_names_key_and_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load("    compression: gzip\n    compression_level: 12\n"));
        Assert.Contains("p.yaml:5: key 'stages[0].compression_level'", e.Message);
        Assert.Contains("from 1 to 9, got '12'", e.Message);
    }
}
