using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// <c>type: dedup</c>. Becomes four engine stages that talk through files: NAME.signatures -> NAME.buckets ->
/// NAME.clusters -> NAME (the filter, whose shards downstream stages read). Keys (defaults):
/// exact (true = written | normalized | false), minhash (true), ngram (5), char_ngram (5), cjk_share (0.3), bands (14), rows (8), seed (1),
/// buckets_per_band (1), keep (first | longest | max:FIELD | min:FIELD), verify_threshold (0.6, 0 = off),
/// max_buffered_records (4000000), url (false: keep one document per normalized URL), url_field (url), url_priority (first |
/// longest | {column: NAME, order: newest | oldest | largest | smallest}; sets keep), write_index (a folder: adds NAME.index
/// after the clusters, before the document filter), against (index folders of earlier runs), sentences (0 = off; N: cut
/// repeated spans of N sentences, then stages NAME.sentences -> NAME.spans -> NAME follow, the document filter becoming
/// NAME.documents; spans are not indexed), min_doc_words (50), min_sentences (3), plus the document keys (input, tasks,
/// id_field, text_field, keep_removed, ...).
/// </summary>
public sealed class DedupStageType : IStageType
{
    public string Name => "dedup";

    public string Description => "exact (XxHash128 of the text as written, or normalized) and MinHash/LSH near-duplicate removal: signatures -> buckets -> clusters -> filter";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = Read(section, settings);
        var layout = new DedupLayout(stageName) { SentencesAfterDocuments = options.DocumentLevel && options.Sentences > 0 };
        var stages = new List<StageDefinition>();
        if (options.DocumentLevel)
        {
            stages.Add(new StageDefinition(layout.Signatures, Name, new MinHashSignatureJob(options)));
            stages.Add(new StageDefinition(layout.Buckets, Name, new LshBucketJob(options, layout)));
            stages.Add(new StageDefinition(layout.Clusters, Name, new DuplicateClusterJob(options, layout)));
            if (options.WriteIndex is { } folder) stages.Add(new StageDefinition(layout.Index, Name, new DedupIndexJob(options, layout, folder)));
            stages.Add(new StageDefinition(layout.Filter, Name, new DedupFilterJob(options, layout)));
        }
        if (options.Sentences > 0)
        {
            stages.Add(new StageDefinition(layout.SentenceSignatures, Name, new SentenceSignatureJob(options, layout)));
            stages.Add(new StageDefinition(layout.SentenceFinder, Name, new SentenceFinderJob(options, layout)));
            stages.Add(new StageDefinition(layout.SentenceFilter, Name, new SentenceFilterJob(options, layout)));
        }
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
        var url = section.GetBool("url", defaults.Url);
        if (ReadUrlPriority(section) is { } priority)
        {
            if (!url) throw section.Error("url_priority", "is set but url dedup is off (url: true)");
            if (section.Has("keep") && keep != priority)
                throw section.Error("url_priority", $"and keep ({keep}) disagree: one policy picks the survivor of every duplicate group; set one of them");
            keep = priority;
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
            Url = url,
            UrlField = section.GetString("url_field", defaults.UrlField)!,
            Sentences = section.GetInt("sentences", defaults.Sentences, 0, 1000),
            MinDocWords = section.GetInt("min_doc_words", defaults.MinDocWords, 0, int.MaxValue),
            MinSentences = section.GetInt("min_sentences", defaults.MinSentences, 0, int.MaxValue),
        };
        if (!options.DocumentLevel && options.Sentences == 0) throw section.Error("minhash", "exact, minhash, url and sentences are all off: nothing to deduplicate");
        options.Validate();
        return ReadIndexes(section, settings, options);
    }

    /// <summary>
    /// <c>write_index</c> (a folder) and <c>against</c> (folders, in order): each index is opened and checked against this
    /// run's settings now, not mid-run. An index holds the document-level records (near, exact, URL); sentence spans are
    /// not indexed, so with sentence dedup alone there is nothing to write or read.
    /// </summary>
    private static DedupOptions ReadIndexes(ConfigSection section, PipelineSettings settings, DedupOptions options)
    {
        var writeIndex = section.GetString("write_index") is { Length: > 0 } w ? settings.Resolve(w) : null;
        var folders = (section.GetStringList("against") ?? []).Select(settings.Resolve).ToList();
        if (!options.DocumentLevel && (writeIndex is not null || folders.Count > 0))
            throw section.Error(writeIndex is not null ? "write_index" : "against",
                "an index holds document-level dedup (exact, minhash, url), which is all off here; sentence spans are not indexed");
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

    /// <summary>
    /// <c>url_priority</c>: <c>first</c>, <c>longest</c>, or a mapping <c>{column: NAME, order: newest | oldest |
    /// largest | smallest}</c>; null when absent.
    /// </summary>
    private static KeepPolicy? ReadUrlPriority(ConfigSection section)
    {
        if (!section.HasValue("url_priority")) return null;
        ConfigSection? map;
        try
        {
            map = section.GetSection("url_priority");
        }
        catch (ConfigException)
        {
            var text = section.GetString("url_priority")!;
            return text.Trim().ToLowerInvariant() switch
            {
                "first" => KeepPolicy.First,
                "longest" => new KeepPolicy(KeepPolicy.Rule.Longest),
                _ => throw section.Error("url_priority", $"expected first, longest or {{column: NAME, order: newest | oldest | largest | smallest}}, got '{text}'"),
            };
        }
        var column = map!.RequireString("column");
        var order = map.GetString("order", "newest")!;
        map.EnsureAllKeysUsed();
        try
        {
            return KeepPolicy.ForUrl(column, order);
        }
        catch (ArgumentException e)
        {
            throw map.Error("order", e.Message);
        }
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
