using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Interop;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// A key of a training stage that names where something comes from: an earlier stage of the pipeline (by name),
/// a path, or, when the key is absent, the nearest earlier stage of a given type.
/// </summary>
public sealed record StageReference(string Role, string? Value, string DefaultType, bool Required)
{
    /// <summary>The stage type referenced by its output folder (<see cref="Sft.SftPrepareStageType"/>).</summary>
    public const string ShardFolderStageType = "sft_prepare";

    public static StageReference Read(ConfigSection section, string key, string defaultType, bool required, PipelineSettings settings)
    {
        var value = section.GetString(key);
        if (HfModelReference.IsHf(value))
        {
            // A Hugging Face folder the stage imports when it runs (HfModelReference); checked now, kept as hf:ABSOLUTE_PATH.
            var folder = settings.Resolve(value![HfModelReference.Prefix.Length..]);
            if (!Directory.Exists(folder)) throw section.Error(key, $"'{value}': no such Hugging Face folder");
            return new StageReference(key, HfModelReference.Prefix + folder, defaultType, required);
        }
        if (value is not null && value.Contains('/') && !Directory.Exists(settings.Resolve(value)) && !File.Exists(settings.Resolve(value)))
            throw section.Error(key, $"'{value}' does not exist (give an earlier stage's name or an existing path)");
        return new StageReference(key, value is not null && value.Contains('/') ? settings.Resolve(value) : value, defaultType, required);
    }

    /// <summary>
    /// The outputs of the referenced stage's first task, a given path, or null when optional and absent. A stage whose
    /// tasks each write one shard of a folder (<c>sft_prepare</c>) is referenced by that folder.
    /// </summary>
    public IReadOnlyList<string>? Resolve(PlanContext context)
    {
        if (IsGivenPath) return [Value!];
        string? stage = Value;
        if (stage is null)
        {
            for (var i = context.StageIndex - 1; i >= 0 && stage is null; i--)
                if (context.Pipeline.Stages[i].Type == DefaultType) stage = context.Pipeline.Stages[i].Name;
        }
        if (stage is null)
        {
            return Required
                ? throw new InvalidOperationException($"stage '{context.Stage.Name}': no '{Role}' given and no earlier '{DefaultType}' stage to take it from")
                : null;
        }
        var index = context.Pipeline.IndexOf(stage);
        if (index < 0 || index >= context.StageIndex)
            throw new InvalidOperationException($"stage '{context.Stage.Name}': '{Role}: {stage}' is not an earlier stage of the pipeline");
        var manifest = context.ManifestOf(stage);
        if (context.Pipeline.Stages[index].Type == ShardFolderStageType) return [Path.GetDirectoryName(manifest.Tasks[0].Outputs[0])!];
        return manifest.Tasks[0].Outputs;
    }

    /// <summary>
    /// The model folder this reference names: a given path (or hf:PATH, which the stage imports) as written, a training
    /// stage's published <c>OUT/final</c>; null when optional and absent.
    /// </summary>
    public string? ResolveModel(PlanContext context) =>
        Resolve(context) is { } outputs ? IsGivenPath ? outputs[0] : ModelFolder.OfStage(outputs[0]) : null;

    private bool IsGivenPath => Value is not null && (Path.IsPathRooted(Value) || HfModelReference.IsHf(Value));
}
