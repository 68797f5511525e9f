using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Config;

/// <summary>
/// Reads a pipeline YAML into a validated <see cref="Pipeline"/>. Every stage is built here, so an unknown key,
/// a bad value or an unknown stage type is reported (file, line, key) before any task runs.
/// <code>
/// run_dir: runs/sample     # optional default for --run-dir
/// workers: 2               # local executor parallelism (default: cores)
/// tasks: 4                 # default task count of stages that split their input
/// on_error: skip           # skip | fail, default for every stage
/// stages:
///   - type: ingest
///     name: ingest         # optional, defaults to the type
///     description: ...     # optional free text
///     input: data/sample/*.jsonl.gz
///     resources: {cpus_per_task: 4, mem: 8G}   # optional, read by the Slurm executor; ranks: N by both (see StageResources)
/// </code>
/// </summary>
public static class PipelineLoader
{
    public static Pipeline LoadFile(string path, StageCatalog catalog, string? baseDir = null) =>
        Load(File.ReadAllText(path), path, catalog, baseDir ?? Directory.GetCurrentDirectory());

    public static Pipeline Load(string yaml, string fileName, StageCatalog catalog, string baseDir)
    {
        var root = ConfigSection.Parse(yaml, fileName);
        var settings = new PipelineSettings
        {
            BaseDir = Path.GetFullPath(baseDir),
            RunDir = root.GetString("run_dir"),
            Workers = root.GetInt("workers", Environment.ProcessorCount, 1, 1024),
            DefaultTasks = root.GetInt("tasks", Environment.ProcessorCount, 1, 1_000_000),
        };
        var defaultOnError = root.GetEnum("on_error", OnError.Skip);
        var stageSections = root.GetSectionList("stages");
        root.Accept("description");
        root.EnsureAllKeysUsed();
        if (stageSections.Count == 0) throw new ConfigException($"{fileName}: the pipeline has no 'stages'");

        var stages = new List<StageDefinition>();
        foreach (var section in stageSections)
        {
            var typeName = section.RequireString("type");
            var type = catalog.Find(typeName)
                ?? throw section.Error("type", $"unknown stage type '{typeName}' (known: {string.Join(", ", catalog.Types.Select(t => t.Name))})");
            var name = section.GetString("name", typeName)!;
            if (!IsValidName(name)) throw section.Error("name", $"'{name}' must be letters, digits, '-' or '_'");
            var onError = section.GetEnum("on_error", defaultOnError);
            var output = section.GetString("output");
            section.Accept("description"); // free text, as at the top level (the conf/ presets carry one)
            var resourcesBlock = section.GetSection("resources");
            var resources = resourcesBlock is null ? StageResources.None : StageResources.FromConfig(resourcesBlock);
            IReadOnlyList<StageDefinition> built;
            try
            {
                built = type.Build(name, section, settings);
            }
            catch (ConfigException) { throw; }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or FileNotFoundException)
            {
                throw new ConfigException($"{fileName}:{section.Line}: stage '{name}': {e.Message}");
            }
            section.EnsureAllKeysUsed();
            foreach (var stage in built)
            {
                if (resources.Ranks > 1 && !stage.Job.SupportsRanks)
                    throw resourcesBlock!.Error("ranks", $"stage type '{typeName}' runs each task as one process, so ranks must be 1 (only training stages run a task on several ranks)");
                if (stages.Any(s => s.Name == stage.Name))
                    throw new ConfigException($"{fileName}:{section.Line}: stage name '{stage.Name}' is used twice; give one a different 'name'");
                stages.Add(stage with
                {
                    OnError = onError,
                    Resources = resources,
                    OutputDir = output is null || !ReferenceEquals(stage, built[^1]) ? stage.OutputDir : settings.Resolve(output),
                });
            }
        }
        return new Pipeline(stages, settings);
    }

    private static bool IsValidName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
