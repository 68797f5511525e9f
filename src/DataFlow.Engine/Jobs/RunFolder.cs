using System.Text.Json;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// The folder a run lives in:
/// <code>
/// RUN/pipeline.yaml                     the config the run was created with
/// RUN/run.json                          base directory for relative paths, creation time
/// RUN/stages/NAME/manifest.json         task -> inputs/outputs
/// RUN/stages/NAME/out/                  the stage's shards (unless the stage has an explicit output folder)
/// RUN/stages/NAME/tasks/00003.stats.json, 00003.done
/// RUN/stages/NAME/stats.json            merged stats once every task is done
/// RUN/rejects/NAME/task-00003.jsonl     bad records with file and line
/// RUN/logs/                             executor logs (Slurm task logs)
/// </code>
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }
    public string PipelineFile => Path.Combine(Root, "pipeline.yaml");
    public string RunInfoFile => Path.Combine(Root, "run.json");
    public string LogsDir => Path.Combine(Root, "logs");

    public string StageDir(string stage) => Path.Combine(Root, "stages", stage);
    public string ManifestFile(string stage) => Path.Combine(StageDir(stage), "manifest.json");
    public string StageStatsFile(string stage) => Path.Combine(StageDir(stage), "stats.json");
    public string TaskDir(string stage) => Path.Combine(StageDir(stage), "tasks");
    public string DoneMarker(string stage, int index) => Path.Combine(TaskDir(stage), $"{index:D5}.done");
    public string TaskStatsFile(string stage, int index) => Path.Combine(TaskDir(stage), $"{index:D5}.stats.json");
    public string RejectsFile(string stage, int index) => Path.Combine(Root, "rejects", stage, $"task-{index:D5}.jsonl");

    public string OutputDir(StageDefinition stage) => stage.OutputDir ?? Path.Combine(StageDir(stage.Name), "out");

    public bool IsDone(string stage, int index) => File.Exists(DoneMarker(stage, index));

    public bool Exists => File.Exists(PipelineFile);

    /// <summary>Base directory recorded at creation, against which the pipeline's relative paths resolve.</summary>
    public string? RecordedBaseDir()
    {
        if (!File.Exists(RunInfoFile)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(RunInfoFile));
        return doc.RootElement.TryGetProperty("base_dir", out var b) ? b.GetString() : null;
    }

    /// <summary>
    /// Records the pipeline the run is made of. A run folder belongs to one pipeline: reusing it with a
    /// different config is refused, because completed tasks would silently mix two configurations.
    /// </summary>
    public void Initialize(string pipelineYaml, string baseDir)
    {
        Directory.CreateDirectory(Root);
        if (File.Exists(PipelineFile))
        {
            var existing = File.ReadAllText(PipelineFile);
            if (Normalize(existing) != Normalize(pipelineYaml))
                throw new InvalidOperationException(
                    $"run folder {Root} was created with a different pipeline config; use a new --run-dir, or delete the folder to start over");
            return;
        }
        AtomicFile.WriteAllText(RunInfoFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["base_dir"] = baseDir,
            ["created_utc"] = DateTime.UtcNow.ToString("O"),
        }, RunJson.Default.DictionaryStringString));
        AtomicFile.WriteAllText(PipelineFile, pipelineYaml);
    }

    private static string Normalize(string yaml) => yaml.Replace("\r\n", "\n").Trim();
}
