using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Pipeline;

namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// <c>type: perplexity</c>: scores documents with a DataFlow-trained language model (docs/quality.md). Keys (defaults):
/// <c>model</c> (an earlier training stage's name or a model folder; default the nearest earlier pretrain stage),
/// <c>max_tokens</c> (the model's context length), <c>batch_tokens</c> (8192), <c>batch_documents</c> (256), <c>threads</c>
/// (0 = every core), <c>column</c> (perplexity, per token), <c>char_column</c> (perplexity_per_char), <c>score</c> (token | char:
/// which of the two filters and buckets use), <c>max_perplexity</c> (none), <c>buckets</c> (none; a mapping
/// <c>{cut_points: [30, 60], column: bucket, keep: [head, middle, tail], group_by: COLUMN}</c>), plus the document keys. With buckets it becomes
/// two engine stages, NAME.score (scores, and the scores file of each task) -> NAME (percentiles over the whole corpus, buckets).
/// </summary>
public sealed class PerplexityStageType : IStageType
{
    public string Name => "perplexity";
    public string Description => "score documents with a trained language model (per-token and per-char perplexity); threshold or CCNet head/middle/tail buckets";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = Read(section, settings);
        if (options.Buckets is not { } buckets) return [new StageDefinition(stageName, Name, new PerplexityScoreJob(options))];
        var scoreStage = stageName + ".score";
        return
        [
            new StageDefinition(scoreStage, Name, new PerplexityScoreJob(options)),
            new StageDefinition(stageName, Name, new PerplexityBucketJob(options, buckets, scoreStage)),
        ];
    }

    public static PerplexityOptions Read(ConfigSection section, PipelineSettings settings)
    {
        var options = new PerplexityOptions
        {
            Documents = DocumentStageConfig.Read(section, settings),
            Model = StageReference.Read(section, "model", "pretrain", required: true, settings),
            MaxTokens = section.GetInt("max_tokens", 0, 0, 1 << 24),
            BatchTokens = section.GetInt("batch_tokens", 8192, 1, 1 << 26),
            BatchDocuments = section.GetInt("batch_documents", 256, 1, 1 << 20),
            Threads = section.GetInt("threads", 0, 0, 4096),
            Column = section.GetString("column", "perplexity")!,
            CharColumn = section.GetString("char_column", "perplexity_per_char")!,
            Unit = section.GetEnum("score", PerplexityUnit.Token),
            MaxPerplexity = section.HasValue("max_perplexity") ? section.GetDouble("max_perplexity", 0, 1) : null,
            Buckets = section.GetSection("buckets") is { } buckets ? ReadBuckets(buckets) : null,
        };
        if (options.Column == options.CharColumn) throw section.Error("char_column", $"'{options.CharColumn}' is also the per-token column; give them different names");
        return options;
    }

    private static PerplexityBuckets ReadBuckets(ConfigSection section)
    {
        var defaults = new PerplexityBuckets();
        var cuts = section.GetStringList("cut_points") ?? [defaults.HeadPercentile.ToString(System.Globalization.CultureInfo.InvariantCulture), defaults.TailPercentile.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var percents = cuts.Select(c => double.TryParse(c, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100
            ? p : throw section.Error("cut_points", $"'{c}' is not a percentile from 0 to 100")).ToList();
        if (percents.Count != 2 || percents[0] > percents[1])
            throw section.Error("cut_points", "expected two percentiles, head then tail (CCNet: [30, 60])");
        var keep = section.GetStringList("keep") ?? PerplexityBuckets.Names;
        foreach (var name in keep)
            if (!PerplexityBuckets.Names.Contains(name)) throw section.Error("keep", $"unknown bucket '{name}' (buckets: head, middle, tail)");
        if (keep.Count == 0) throw section.Error("keep", "keeps no bucket: every document would be dropped");
        var result = new PerplexityBuckets
        {
            HeadPercentile = percents[0],
            TailPercentile = percents[1],
            Column = section.GetString("column", defaults.Column)!,
            GroupBy = section.GetString("group_by"),
            Keep = new HashSet<string>(keep, StringComparer.Ordinal),
        };
        section.EnsureAllKeysUsed();
        return result;
    }
}
