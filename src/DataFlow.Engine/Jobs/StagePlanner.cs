namespace DataFlow.Engine.Jobs;

/// <summary>
/// Plans stages on demand and persists their manifests. Planning is deterministic, so two processes that plan
/// the same stage at once (Slurm tasks starting together) write identical manifests and either rename wins.
/// </summary>
public sealed class StagePlanner(RunFolder run, Pipeline pipeline)
{
    private readonly Dictionary<string, StageManifest> _cache = new(StringComparer.Ordinal);

    public StageManifest Manifest(string stageName)
    {
        lock (_cache)
        {
            if (_cache.TryGetValue(stageName, out var cached)) return cached;
            var path = run.ManifestFile(stageName);
            var index = pipeline.IndexOf(stageName);
            var stage = pipeline.Stage(stageName);
            StageManifest manifest;
            if (File.Exists(path))
            {
                manifest = StageManifest.Load(path);
            }
            else
            {
                var plans = stage.Job.Plan(new PlanContext(run, pipeline, index, Manifest));
                for (var i = 0; i < plans.Count; i++)
                    if (plans[i].Index != i) throw new InvalidOperationException($"stage '{stageName}' planned task {plans[i].Index} at position {i}");
                manifest = new StageManifest(stageName, stage.Type, plans);
                manifest.Save(path);
            }
            _cache[stageName] = manifest;
            return manifest;
        }
    }

    /// <summary>Plans every stage up front, so config and input errors surface before any work starts.</summary>
    public void PlanAll()
    {
        foreach (var stage in pipeline.Stages) Manifest(stage.Name);
    }
}
