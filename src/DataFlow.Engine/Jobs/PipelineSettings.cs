namespace DataFlow.Engine.Jobs;

/// <summary>Pipeline-wide settings from the YAML top level.</summary>
public sealed record PipelineSettings
{
    /// <summary>Relative paths in the config resolve against this folder: the working directory when the run was created (recorded in run.json).</summary>
    public string BaseDir { get; init; } = Directory.GetCurrentDirectory();
    public string? RunDir { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;
    public int DefaultTasks { get; init; } = Environment.ProcessorCount;

    public string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(BaseDir, path));
}
