using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// <c>type: dedup</c>. Becomes four engine stages that talk through files: NAME.signatures -> NAME.buckets ->
/// NAME.clusters -> NAME (the filter, whose shards downstream stages read). Keys (defaults):
/// exact (true = written | normalized | false), minhash (true), ngram (5), char_ngram (5), cjk_share (0.3), bands (14), rows (8), seed (1),
/// buckets_per_band (1), keep (first | longest | max:FIELD | min:FIELD), verify_threshold (0.6, 0 = off),
/// max_buffered_records (4000000), write_index (a folder: adds NAME.index before the filter), against (index folders of
/// earlier runs), plus the document keys (input, tasks, id_field, text_field, keep_removed, ...).
/// </summary>
public sealed class DedupStageType : IStageType
{
    public string Name => "dedup";

    public string Description => "exact (XxHash128 of the text as written, or normalized) and MinHash/LSH near-duplicate removal: signatures -> buckets -> clusters -> filter";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = Read(section, settings);
        var layout = new DedupLayout(stageName);
        List<StageDefinition> stages =
        [
            new StageDefinition(layout.Signatures, Name, new MinHashSignatureJob(options)),
            new StageDefinition(layout.Buckets, Name, new LshBucketJob(options, layout)),
            new StageDefinition(layout.Clusters, Name, new DuplicateClusterJob(options, layout)),
        ];
        if (options.WriteIndex is { } folder) stages.Add(new StageDefinition(layout.Index, Name, new DedupIndexJob(options, layout, folder)));
        stages.Add(new StageDefinition(layout.Filter, Name, new DedupFilterJob(options, layout)));
        return stages;
    }

    /// <summary>Row-group bound of the filter's shards (UTF-8 bytes buffered before a row group is written).</summary>
    public const long FilterRowGroupBytes = 8L << 20;

    public static DedupOptions Read(ConfigSection section, PipelineSettings settings)
    {
        var defaults = new DedupOptions();
        var sig = new MinHashOptions();
        KeepPolicy keep;
        try
        {
            keep = KeepPolicy.Parse(section.GetString("keep", "first")!);
        }
        catch (ArgumentException e)
        {
            throw section.Error("keep", e.Message);
        }
        var documents = DocumentStageConfig.Read(section, settings);
        var options = new DedupOptions
        {
            // Smaller row groups than the engine default: the filter's writer buffer is most of dedup's peak memory.
            Documents = documents with { Write = documents.Write with { RowGroupBytes = Math.Min(documents.Write.RowGroupBytes, FilterRowGroupBytes) } },
            Exact = ReadExact(section),
            MinHash = section.GetBool("minhash", defaults.MinHash),
            Signature = new MinHashOptions
            {
                WordNgram = section.GetInt("ngram", sig.WordNgram, 1, 64),
                CharNgram = section.GetInt("char_ngram", sig.CharNgram, 1, 64),
                CjkShare = section.GetDouble("cjk_share", sig.CjkShare, 0, 1),
                Bands = section.GetInt("bands", sig.Bands, 1, 4096),
                Rows = section.GetInt("rows", sig.Rows, 1, 1024),
                Seed = (ulong)section.GetLong("seed", (long)sig.Seed, 0),
            },
            BucketsPerBand = section.GetInt("buckets_per_band", defaults.BucketsPerBand, 1, 4096),
            Keep = keep,
            VerifyThreshold = section.GetDouble("verify_threshold", defaults.VerifyThreshold, 0, 1),
            MaxBufferedRecords = section.GetLong("max_buffered_records", defaults.MaxBufferedRecords, 1, 1L << 40),
        };
        if (options.Exact == ExactMode.Off && !options.MinHash) throw section.Error("minhash", "exact and minhash are both off: nothing to deduplicate");
        options.Validate();
        return ReadIndexes(section, settings, options);
    }

    /// <summary><c>write_index</c> (a folder) and <c>against</c> (folders, in order): each index is opened and checked against this run's settings now, not mid-run.</summary>
    private static DedupOptions ReadIndexes(ConfigSection section, PipelineSettings settings, DedupOptions options)
    {
        var writeIndex = section.GetString("write_index") is { Length: > 0 } w ? settings.Resolve(w) : null;
        var folders = (section.GetStringList("against") ?? []).Select(settings.Resolve).ToList();
        if (folders.Count > DocRef.MaxIndexFolders) throw section.Error("against", $"{folders.Count} folders; at most {DocRef.MaxIndexFolders} can be read at once");
        if (folders.GroupBy(f => f).FirstOrDefault(g => g.Count() > 1) is { } twice) throw section.Error("against", $"{twice.Key} is named twice");
        if (writeIndex is not null && folders.Contains(writeIndex)) throw section.Error("write_index", $"{writeIndex} is also read as against; write the new index to its own folder");
        var against = new List<DedupIndex>();
        foreach (var folder in folders)
        {
            try
            {
                against.Add(DedupIndex.Open(folder, options));
            }
            catch (InvalidDataException e)
            {
                throw section.Error("against", e.Message);
            }
        }
        return options with { WriteIndex = writeIndex, Against = against };
    }

    /// <summary><c>exact</c>: true / written (the text as written, the default), normalized, or false.</summary>
    private static ExactMode ReadExact(ConfigSection section)
    {
        var text = section.GetString("exact");
        return text?.ToLowerInvariant() switch
        {
            null or "true" or "yes" or "on" or "written" => ExactMode.Written,
            "false" or "no" or "off" => ExactMode.Off,
            "normalized" => ExactMode.Normalized,
            _ => throw section.Error("exact", $"expected true (the text as written), written, normalized or false, got '{text}'"),
        };
    }
}
