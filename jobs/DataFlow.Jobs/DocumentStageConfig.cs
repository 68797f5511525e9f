using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using ParquetSharp;

namespace DataFlow.Jobs;

/// <summary>
/// The keys every document stage accepts:
/// <c>input</c> (file, folder or glob, or a list; default: the previous stage's shards), <c>tasks</c>,
/// <c>id_field</c> (id), <c>text_field</c> (text), <c>source</c>, <c>keep_metadata</c> (true),
/// <c>keep_removed</c> (false), <c>compression</c> (zstd | snappy | gzip | none), <c>compression_level</c>
/// (fastest | optimal | smallest), <c>row_group_rows</c> (100000).
/// </summary>
public static class DocumentStageConfig
{
    public static DocumentStageOptions Read(ConfigSection section, PipelineSettings settings, bool inputRequired = false)
    {
        var input = section.GetStringList("input");
        if (inputRequired && input is null) throw new ConfigException($"{section.File}:{section.Line}: stage needs an 'input' (file, folder or glob)");
        if (input is not null) InputGlob.Expand(input, settings.BaseDir); // fail at load time, not mid-run, on a pattern that matches nothing
        var compression = section.GetString("compression", "zstd")!.ToLowerInvariant() switch
        {
            "zstd" => Compression.Zstd,
            "snappy" => Compression.Snappy,
            "gzip" => Compression.Gzip,
            "none" => Compression.Uncompressed,
            var other => throw section.Error("compression", $"expected zstd, snappy, gzip or none, got '{other}'"),
        };
        return new DocumentStageOptions
        {
            Input = input,
            Tasks = section.GetInt("tasks", settings.DefaultTasks, 1, 1_000_000),
            KeepRemoved = section.GetBool("keep_removed", false),
            Read = new ReadOptions
            {
                IdField = section.GetString("id_field", "id")!,
                TextField = section.GetString("text_field", "text")!,
                Source = section.GetString("source"),
                KeepMetadata = section.GetBool("keep_metadata", true),
            },
            Write = new ShardWriteOptions
            {
                Compression = compression,
                // zstd / gzip levels: fastest 1/1, optimal 3/6 (each codec's default), smallest 19/9.
                Level = section.GetString("compression_level", "fastest")!.ToLowerInvariant() switch
                {
                    "fastest" => 1,
                    "optimal" => compression == Compression.Gzip ? 6 : 3,
                    "smallest" => compression == Compression.Gzip ? 9 : 19,
                    var other => throw section.Error("compression_level", $"expected fastest, optimal or smallest, got '{other}'"),
                },
                RowGroupRows = section.GetInt("row_group_rows", DocumentShardWriter.DefaultRowGroupRows, 1, 10_000_000),
            },
        };
    }
}
