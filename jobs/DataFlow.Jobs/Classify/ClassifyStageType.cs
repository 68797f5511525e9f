using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// <c>type: classify</c>. Keys (besides the document-stage keys): <c>model</c> (required: a fastText .bin / .ftz
/// file, or the name of an earlier classifier_train stage), <c>label_column</c> (class), <c>score_column</c>
/// (class_score), <c>keep_score_column</c> (keep_score), <c>keep</c> (optional: <c>{label: X, min_score: t}</c> or
/// <c>{label: X, top_fraction: f}</c>). With top_fraction the stage becomes NAME.scores -> NAME.cutoff -> NAME
/// (<see cref="ClassifyLayout"/>).
/// </summary>
public sealed class ClassifyStageType : IStageType
{
    public string Name => "classify";

    public string Description => "fastText model -> top label and probability per document; keep by a label's score or the corpus's top fraction";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = new ClassifyOptions
        {
            Documents = DocumentStageConfig.Read(section, settings),
            Model = ClassifierModelSource.Read(section, "model", settings),
            LabelColumn = Column(section, "label_column", "class"),
            ScoreColumn = Column(section, "score_column", "class_score"),
            KeepScoreColumn = Column(section, "keep_score_column", "keep_score"),
            Keep = ReadKeep(section),
        };
        var columns = new[] { options.LabelColumn, options.ScoreColumn, options.KeepScoreColumn };
        if (columns.Distinct(StringComparer.Ordinal).Count() < columns.Length)
            throw section.Error("score_column", $"label_column, score_column and keep_score_column must differ (got {string.Join(", ", columns)})");
        if (options.Keep is { } keep && options.Model.Loaded is { } model)
        {
            try { ClassifierModelSource.ResolveLabel(model, keep.Label); }
            catch (ArgumentException e) { throw section.Error("keep", $"{e.Message} ({options.Model.FilePath})"); }
        }
        var layout = new ClassifyLayout(stageName);
        var filter = new StageDefinition(layout.Filter, Name, new ClassifyJob(options, layout));
        if (options.Keep?.TopFraction is null) return [filter];
        return
        [
            new StageDefinition(layout.Scores, Name, new ClassifyScoresJob(options)),
            new StageDefinition(layout.Cutoff, Name, new ClassifyCutoffJob(options, layout)),
            filter,
        ];
    }

    private static string Column(ConfigSection section, string key, string fallback)
    {
        var name = section.GetString(key, fallback)!;
        if (name.Length == 0 || name is "id" or "text" or "source" or "metadata" or "reason")
            throw section.Error(key, $"'{name}' cannot be a column name here (empty, or a column every shard already has)");
        return name;
    }

    private static ClassifyKeep? ReadKeep(ConfigSection section)
    {
        if (section.GetSection("keep") is not { } keep) return null;
        var label = keep.RequireString("label");
        var hasMin = keep.Has("min_score");
        var hasTop = keep.Has("top_fraction");
        if (hasMin == hasTop) throw section.Error("keep", "give exactly one of 'min_score' (keep when the label's probability >= it) or 'top_fraction' (keep that fraction of the corpus, highest scores first)");
        var result = new ClassifyKeep(label,
            hasMin ? keep.GetDouble("min_score", 0, 0, 1) : null,
            hasTop ? keep.GetDouble("top_fraction", 0, 0, 1) : null);
        keep.EnsureAllKeysUsed();
        return result;
    }
}
