namespace DataFlow.Engine.Jobs;

/// <summary>What a job may consult while planning: its place in the pipeline and the manifests of earlier stages.</summary>
public sealed class PlanContext
{
    private readonly Func<string, StageManifest> _manifestOf;

    internal PlanContext(RunFolder run, Pipeline pipeline, int stageIndex, Func<string, StageManifest> manifestOf)
    {
        Run = run;
        Pipeline = pipeline;
        StageIndex = stageIndex;
        _manifestOf = manifestOf;
    }

    public RunFolder Run { get; }
    public Pipeline Pipeline { get; }
    public int StageIndex { get; }
    public StageDefinition Stage => Pipeline.Stages[StageIndex];

    /// <summary>Folder this stage writes its shards to.</summary>
    public string OutputDir => Run.OutputDir(Stage);

    /// <summary>The stage that runs just before this one, or null for the first.</summary>
    public StageDefinition? Previous => StageIndex > 0 ? Pipeline.Stages[StageIndex - 1] : null;

    /// <summary>The manifest of an earlier stage (planned on demand).</summary>
    public StageManifest ManifestOf(string stageName)
    {
        var index = Pipeline.IndexOf(stageName);
        if (index < 0 || index >= StageIndex)
            throw new InvalidOperationException($"stage '{Stage.Name}' asked for '{stageName}', which does not run before it");
        return _manifestOf(stageName);
    }

    /// <summary>The previous stage's manifest; throws a clear error for a first stage that needs input.</summary>
    public StageManifest PreviousManifest() =>
        Previous is { } prev ? ManifestOf(prev.Name)
            : throw new InvalidOperationException($"stage '{Stage.Name}' reads the previous stage's output, but it is the first stage; give it an 'input'");
}
