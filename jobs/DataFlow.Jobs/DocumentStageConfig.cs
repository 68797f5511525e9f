using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Pii;
using ParquetSharp;

namespace DataFlow.Jobs;

/// <summary>
/// The keys every document stage accepts:
/// <c>input</c> (file, folder or glob, or a list; default: the previous stage's shards), <c>tasks</c>,
/// <c>id_field</c> (id), <c>text_field</c> (text), <c>source</c>, <c>keep_metadata</c> (true),
/// <c>keep_removed</c> (false), <c>mask_removed</c> (true), <c>compression</c> (zstd | snappy | gzip | none), <c>compression_level</c>
/// (fastest | optimal | smallest | a level number), <c>row_group_rows</c> (100000).
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
            // Rejects and removed/ are for inspection, not training: no raw personal data in them (docs/pii.md).
            Mask = PiiMask.ForDisplay,
            MaskRemoved = section.GetBool("mask_removed", true),
            Read = new ReadOptions
            {
                IdField = section.GetString("id_field", "id")!,
                TextField = section.GetString("text_field", "text")!,
                Source = section.GetString("source"),
                KeepMetadata = section.GetBool("keep_metadata", true),
                WebContentTypes = section.GetStringList("web_content_types") is { Count: > 0 } types ? types : ReadOptions.Default.WebContentTypes,
            },
            Write = new ShardWriteOptions
            {
                Compression = compression,
                Level = CompressionLevel(section, compression),
                RowGroupRows = section.GetInt("row_group_rows", DocumentShardWriter.DefaultRowGroupRows, 1, 10_000_000),
            },
        };
    }

    /// <summary>fastest / optimal / smallest (zstd 1 / 3 / 19, gzip 1 / 6 / 9), or the codec's own level number.</summary>
    private static int CompressionLevel(ConfigSection section, Compression compression)
    {
        var (min, max) = compression == Compression.Gzip ? (1, 9) : (-7, 22);
        return section.GetString("compression_level", "fastest")!.ToLowerInvariant() switch
        {
            "fastest" => 1,
            "optimal" => compression == Compression.Gzip ? 6 : 3,
            "smallest" => compression == Compression.Gzip ? 9 : 19,
            var number when int.TryParse(number, out var level) && level >= min && level <= max => level,
            var other => throw section.Error("compression_level", $"expected fastest, optimal, smallest or a level from {min} to {max}, got '{other}'"),
        };
    }
}
