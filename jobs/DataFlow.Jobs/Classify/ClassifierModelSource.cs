using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Where the classify stage's model comes from (<c>model:</c>): a fastText <c>.bin</c> / <c>.ftz</c> file, loaded
/// and checked when the pipeline is built; or the name of an earlier <c>classifier_train</c> stage, whose model file
/// (the first output of its task) is loaded when a task runs.
/// </summary>
public sealed class ClassifierModelSource
{
    /// <summary>The stage type whose model a classify stage can name.</summary>
    public const string TrainStageType = "classifier_train";

    private readonly FastTextModel? _model;

    private ClassifierModelSource(FastTextModel? model, string? path, string? stage)
    {
        _model = model;
        FilePath = path;
        Stage = stage;
    }

    /// <summary>The model file given in the config, or null when the model comes from a stage.</summary>
    public string? FilePath { get; }

    /// <summary>The earlier stage that trains the model, or null for a file.</summary>
    public string? Stage { get; }

    /// <summary>The model when it was given as a file (loaded at build time), else null until a task loads it.</summary>
    public FastTextModel? Loaded => _model;

    public static ClassifierModelSource Read(ConfigSection section, string key, PipelineSettings settings)
    {
        var value = section.RequireString(key);
        var path = settings.Resolve(value);
        if (File.Exists(path)) return new ClassifierModelSource(FastTextModelFile.Load(section, key, settings), path, null);
        // A bare name is a stage; anything that looks like a file must exist.
        var looksLikeFile = value.Contains('/') || value.Contains('\\') || value.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
                            || value.EndsWith(".ftz", StringComparison.OrdinalIgnoreCase);
        if (looksLikeFile) throw section.Error(key, $"fastText model '{path}' does not exist");
        return new ClassifierModelSource(null, null, value);
    }

    /// <summary>Checks at planning time that a named stage runs earlier and trains a classifier.</summary>
    public void Validate(PlanContext context)
    {
        if (Stage is null) return;
        var index = context.Pipeline.IndexOf(Stage);
        if (index < 0 || index >= context.StageIndex)
            throw new InvalidOperationException($"stage '{context.Stage.Name}': 'model: {Stage}' is neither a file nor an earlier stage of the pipeline");
        var type = context.Pipeline.Stages[index].Type;
        if (type != TrainStageType)
            throw new InvalidOperationException($"stage '{context.Stage.Name}': 'model: {Stage}' names a '{type}' stage, not a {TrainStageType} stage");
        context.ManifestOf(Stage);
    }

    /// <summary>The model for a running task: the file given, or the model file the named stage wrote.</summary>
    public FastTextModel Load(TaskContext context)
    {
        if (_model is not null) return _model;
        var manifest = StageManifest.Load(context.Run.ManifestFile(Stage!));
        return FastTextModelFile.Load(manifest.Tasks[0].Outputs[0]);
    }

    /// <summary>
    /// The model's own name of <paramref name="label"/>: as given when the model has it, else with fastText's
    /// <c>__label__</c> prefix; throws naming the labels the model has.
    /// </summary>
    public static string ResolveLabel(FastTextModel model, string label)
    {
        if (model.Labels.Contains(label)) return label;
        if (model.Labels.Contains("__label__" + label)) return "__label__" + label;
        var labels = model.Labels.Take(20).ToList();
        throw new ArgumentException($"label '{label}' is not a label of the model (its labels: {string.Join(", ", labels)}{(model.Labels.Count > 20 ? ", ..." : "")})");
    }
}
