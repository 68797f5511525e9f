using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// One training run (SFT, reward model, PPO) as a single-task pipeline stage. The stage's inline keys and its
/// optional <c>config:</c> file give the hyper-parameters (inline first); the pipeline fills in where data and models
/// come from (earlier stages) and where output goes. Keys are checked when the pipeline is built, and the whole
/// record again when it is planned. The task's one engine output is OUT/summary.json, written when training
/// completes; the trainer publishes its own checkpoints as it goes, so a killed stage resumes from the last one.
/// The final model lands in OUT/final. With <c>resources: {ranks: N}</c> the task trains data-parallel on N MPI
/// ranks; rank 0 writes and commits.
/// </summary>
public abstract class TrainingStageJob<TConfig>(IReadOnlyList<ConfigSection> layers, IReadOnlyList<StageReference> references) : IStageJob
    where TConfig : class
{
    public const string SummaryFile = "summary.json";

    public int MaxParallelTasks => 1;

    public bool SupportsRanks => true;

    /// <summary>Which output of each referenced stage the trainer needs, in reference order (index into that stage's outputs, or -1 for its model folder).</summary>
    protected abstract IReadOnlyList<(int Reference, int Output)> Needs { get; }

    /// <summary>Keys the pipeline fills in (<see cref="Overrides"/> sets them, or some of them when an optional reference is absent).</summary>
    protected abstract IReadOnlyList<string> PipelineKeys { get; }

    /// <summary>Training keys set from the planned inputs (same order as <see cref="Needs"/>; null where an optional reference is absent).</summary>
    protected abstract Dictionary<string, object?> Overrides(IReadOnlyList<string?> inputs, string outputDir);

    /// <summary>Binds and validates the layers with the pipeline's keys.</summary>
    protected abstract TConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides);

    protected abstract int Train(TConfig config, Action<string> log, Replicas replicas);

    /// <summary>Checks every key (known, typed, in range) before the paths of earlier stages are known.</summary>
    public TrainingStageJob<TConfig> CheckKeys()
    {
        TrainingKeys.Bind<TConfig>(layers, deferred: PipelineKeys);
        return this;
    }

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var resolved = references.Select(r => r.Resolve(context)).ToList();
        // An output the referenced stage does not have (a prepared SFT folder has no separate eval file) is absent, like an optional reference.
        var inputs = Needs.Select(n => resolved[n.Reference] is { } outputs
            ? n.Output < 0 ? ModelFolder.OfStage(outputs[0]) : n.Output < outputs.Count ? outputs[n.Output] : ""
            : "").ToList();
        Bind(layers, Overrides(Present(inputs), context.OutputDir)); // the record's own checks, before any task runs
        return [new TaskPlan(0, inputs, [Path.Combine(context.OutputDir, SummaryFile)])];
    }

    public void Run(TaskContext context)
    {
        var output = Path.GetDirectoryName(context.Plan.Outputs[0])!;
        var config = Bind(layers, Overrides(Present(context.Inputs), output));
        var log = new List<string>();
        TaskRanks.Run(context, parallel => Train(config, line => { lock (log) log.Add(line); }, new Replicas(parallel)));
        if (context.Rank != 0) return; // rank 0 wrote the model and metrics, and commits the summary
        var metrics = Path.Combine(output, "metrics.jsonl");
        var last = File.Exists(metrics) ? File.ReadLines(metrics).LastOrDefault(l => l.Trim().Length > 0) : null;
        if (last is not null && JsonNode.Parse(last) is JsonObject final)
            foreach (var (key, value) in final)
                if (value is JsonValue v && v.TryGetValue<double>(out var number)) context.Stats.SetValue("final_" + key, number);
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), JsonSerializer.Serialize(new
        {
            config = layers.Select(l => l.File).Distinct().ToList(),
            final_model = Path.Combine(output, ModelFolder.FinalDir),
            last_metrics = last is null ? null : JsonNode.Parse(last),
            log,
        }, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static List<string?> Present(IReadOnlyList<string> inputs) => inputs.Select(i => i.Length == 0 ? null : i).ToList();
}
