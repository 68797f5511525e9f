using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// <c>type: substring_dedup</c>. Becomes three engine stages that talk through files: NAME.suffixes (a suffix array
/// per part) -> NAME.matches (merge of every part's suffixes by key range) -> NAME (the filter). Keys (defaults):
/// min_tokens (50, UTF-8 bytes), remove (all_but_first | all), min_doc_tokens (50), merge_tasks (0 = one per part),
/// plus the document keys (input, tasks, id_field, text_field, keep_removed, ...).
/// </summary>
public sealed class SubstringDedupStageType : IStageType
{
    public string Name => "substring_dedup";

    public string Description => "exact substring dedup (Lee et al. 2022): repeated spans of min_tokens UTF-8 bytes found with window suffix arrays per part (equal windows adjacent), merged across parts; suffixes -> matches -> filter";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = Read(section, settings);
        var layout = new SubstringLayout(stageName);
        return
        [
            new StageDefinition(layout.Suffixes, Name, new SuffixArrayJob(options)),
            new StageDefinition(layout.Matches, Name, new RepeatedSpanJob(options, layout)),
            new StageDefinition(layout.Filter, Name, new SubstringFilterJob(options, layout)),
        ];
    }

    public static SubstringDedupOptions Read(ConfigSection section, PipelineSettings settings)
    {
        var remove = section.GetString("remove", "all_but_first")!.ToLowerInvariant() switch
        {
            "all_but_first" => SubstringRemoval.AllButFirst,
            "all" => SubstringRemoval.All,
            var other => throw section.Error("remove", $"expected all_but_first or all, got '{other}'"),
        };
        var documents = DocumentStageConfig.Read(section, settings);
        var options = new SubstringDedupOptions
        {
            Documents = documents with { Write = documents.Write with { RowGroupBytes = Math.Min(documents.Write.RowGroupBytes, DedupStageType.FilterRowGroupBytes) } },
            MinTokens = section.GetInt("min_tokens", 50, 2, 1 << 20),
            Remove = remove,
            MinDocTokens = section.GetInt("min_doc_tokens", 50, 0, int.MaxValue),
            MergeTasks = section.GetInt("merge_tasks", 0, 0, 9999),
        };
        return options.Validate();
    }
}
