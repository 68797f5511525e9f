using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs;

/// <summary>Opens or creates a run folder together with its validated pipeline.</summary>
public sealed record RunSession(RunFolder Run, Pipeline Pipeline)
{
    /// <summary>
    /// The stage types a run may use when the caller names none. The CLI widens it to the training stages at
    /// start-up; the data-only default keeps TorchSharp out of processes that never train.
    /// </summary>
    public static Func<StageCatalog> DefaultCatalog { get; set; } = StandardStages.Create;

    /// <summary>Validates the pipeline file, then creates (or reopens) the run folder that records it.</summary>
    public static RunSession Create(string pipelineFile, string? runDir, StageCatalog? catalog = null)
    {
        if (!File.Exists(pipelineFile)) throw new FileNotFoundException($"pipeline file '{pipelineFile}' does not exist");
        var yaml = File.ReadAllText(pipelineFile);
        var baseDir = Directory.GetCurrentDirectory();
        var pipeline = PipelineLoader.Load(yaml, pipelineFile, catalog ?? DefaultCatalog(), baseDir);
        var dir = runDir ?? pipeline.Settings.RunDir
            ?? throw new ConfigException($"{pipelineFile}: no run folder: pass --run-dir or set 'run_dir' in the pipeline");
        var run = new RunFolder(pipeline.Settings.Resolve(dir));
        if (run.Exists && run.RecordedBaseDir() is { } recorded && recorded != baseDir)
            pipeline = PipelineLoader.Load(yaml, pipelineFile, catalog ?? DefaultCatalog(), recorded);
        run.Initialize(yaml, run.RecordedBaseDir() ?? baseDir);
        return new RunSession(run, pipeline);
    }

    /// <summary>Reopens an existing run folder from the pipeline it recorded (what every task of every executor does).</summary>
    public static RunSession Open(string runDir, StageCatalog? catalog = null)
    {
        var run = new RunFolder(runDir);
        if (!run.Exists) throw new DirectoryNotFoundException($"'{runDir}' is not a DataFlow run folder (no pipeline.yaml)");
        var pipeline = PipelineLoader.Load(File.ReadAllText(run.PipelineFile), run.PipelineFile, catalog ?? DefaultCatalog(),
            run.RecordedBaseDir() ?? Directory.GetCurrentDirectory());
        return new RunSession(run, pipeline);
    }

    public StagePlanner Planner() => new(Run, Pipeline);
}
