using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// The base of every training stage (pretrain, SFT, reward model, PPO): one task, trained by one process or, with
/// <c>resources: {ranks: N}</c>, data-parallel on N MPI ranks (rank 0 writes and commits). The trainer publishes its
/// own checkpoints (OUT/checkpoints/step-N) as it goes, so a killed stage resumes from the newest; the task's one
/// engine output is OUT/summary.json, written when training completes. The trainer's <see cref="TrainingSummary"/>
/// goes to the stage's stats (<see cref="TrainingStats"/>: steps, tokens, tokens/s, last loss, final held-out
/// metrics, MFU where the trainer measured it), which the run summary, <c>dataflow status</c> and the HTML report show.
/// <para>
/// <c>on_error</c> (skip | fail) of stages that read records (SFT, reward, PPO): an <c>on_error</c> key on the stage
/// in the pipeline wins; else the training file's own <c>on_error</c>; else the pipeline's <c>on_error</c> (default skip).
/// Records skipped under skip are counted in the stage's <c>docs_rejected</c> and listed in OUT/rejects.jsonl.
/// </para>
/// </summary>
public abstract class TrainingStageJob : IStageJob
{
    public const string SummaryFile = "summary.json";

    public int MaxParallelTasks => 1;

    public bool SupportsRanks => true;

    public bool IsTraining => true;

    /// <summary>Whether the stage's pipeline section sets <c>on_error</c> itself (rather than inheriting the pipeline's).</summary>
    public bool StageSetsOnError { get; init; }

    /// <summary>Whether the training file sets <c>on_error</c>.</summary>
    public bool FileSetsOnError { get; init; }

    public abstract IReadOnlyList<TaskPlan> Plan(PlanContext context);

    /// <summary>Trains on every rank (<paramref name="parallel"/>), writing into <paramref name="outputDir"/>.</summary>
    protected abstract TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log);

    /// <summary>Rank 0, after training: what the stage hands to later stages besides what the trainer wrote (OUT/final).</summary>
    protected virtual void Publish(TrainingSummary summary, string outputDir) { }

    /// <summary>The policy for bad records (see the class summary); null: the training file's own <c>on_error</c>.</summary>
    protected OnError? OnErrorFor(TaskContext context) => StageSetsOnError || !FileSetsOnError ? context.Stage.OnError : null;

    public void Run(TaskContext context)
    {
        var output = Path.GetDirectoryName(context.Plan.Outputs[0])!;
        var log = new List<string>();
        var summary = TaskRanks.Run(context, parallel => Train(context, output, parallel, line => { lock (log) log.Add(line); }));
        if (context.Rank != 0) return; // rank 0 wrote the model and metrics, and commits the summary
        Publish(summary, output);
        TrainingStats.Record(context.Stats, summary.FirstStep, summary.Steps, summary.Tokens, summary.Seconds, summary.LastLoss, summary.FinalEval, summary.Mfu);
        if (summary.Rejected > 0) context.Stats.Add("docs_rejected", summary.Rejected);
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), JsonSerializer.Serialize(new
        {
            kind = summary.Kind,
            steps = summary.Steps,
            first_step = summary.FirstStep,
            tokens = summary.Tokens,
            seconds = summary.Seconds,
            tokens_per_second = summary.TokensPerSecond,
            mfu = summary.Mfu,
            peak_flops = summary.PeakFlops,
            last_loss = summary.LastLoss,
            final_eval = summary.FinalEval,
            rejected = summary.Rejected,
            checkpoint = summary.LastCheckpoint,
            final_model = Path.Combine(output, ModelFolder.FinalDir),
            log,
        }, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// The plan of a stage whose inputs are earlier stages' outputs: <paramref name="needs"/> names, per input, a
    /// referenced stage and the index of its output (-1: its model folder); an absent optional reference gives "".
    /// </summary>
    protected static IReadOnlyList<TaskPlan> PlanFrom(PlanContext context, IReadOnlyList<StageReference> references, IReadOnlyList<(int Reference, int Output)> needs)
    {
        var resolved = references.Select(r => r.Resolve(context)).ToList();
        // An output the referenced stage does not have (a prepared SFT folder has no separate eval file) is absent, like an optional reference.
        var inputs = needs.Select(n => n.Output < 0
            ? references[n.Reference].ResolveModel(context) ?? ""
            : resolved[n.Reference] is { } outputs && n.Output < outputs.Count ? outputs[n.Output] : "").ToList();
        return [new TaskPlan(0, inputs, [Path.Combine(context.OutputDir, SummaryFile)])];
    }

    /// <summary>The planned inputs, null where an optional reference was absent.</summary>
    protected static List<string?> InputsOf(TaskContext context) => Present(context.Inputs);

    protected static List<string?> Present(IReadOnlyList<string> inputs) => inputs.Select(i => i.Length == 0 ? null : i).ToList();
}

/// <summary>
/// A training stage whose settings are a config record (SFT, reward, PPO): the stage's inline keys and its optional
/// <c>config:</c> file are its layers (inline first); the pipeline fills in where data and models come from (earlier
/// stages) and where output goes. Keys are checked when the pipeline is built (<see cref="CheckKeys"/>), and the whole
/// record again when it is planned, so a bad key stops the run before any stage starts.
/// </summary>
public abstract class TrainingStageJob<TConfig>(IReadOnlyList<ConfigSection> layers, IReadOnlyList<StageReference> references) : TrainingStageJob
    where TConfig : class
{
    /// <summary>Which output of each referenced stage the trainer needs, in reference order (index into that stage's outputs, or -1 for its model folder).</summary>
    protected abstract IReadOnlyList<(int Reference, int Output)> Needs { get; }

    /// <summary>Keys the pipeline fills in (<see cref="Overrides"/> sets them, or some of them when an optional reference is absent).</summary>
    protected abstract IReadOnlyList<string> PipelineKeys { get; }

    /// <summary>Training keys set from the planned inputs (same order as <see cref="Needs"/>; null where an optional reference is absent).</summary>
    protected abstract Dictionary<string, object?> Overrides(IReadOnlyList<string?> inputs, string outputDir);

    /// <summary>Binds and validates the layers with the pipeline's keys.</summary>
    protected abstract TConfig Bind(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides);

    /// <param name="progress">The task's live progress, which the trainer advances step by step (the console shows it).</param>
    protected abstract TrainingSummary Train(TConfig config, Action<string> log, DataParallel parallel, OnError? onError, TaskProgress progress);

    /// <summary>Checks every key (known, typed, in range) before the paths of earlier stages are known.</summary>
    public TrainingStageJob<TConfig> CheckKeys()
    {
        TrainingKeys.Bind<TConfig>(layers, deferred: PipelineKeys);
        return this;
    }

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var plans = PlanFrom(context, references, Needs);
        Bind(layers, Overrides(Present(plans[0].Inputs), context.OutputDir)); // the record's own checks, before any task runs
        return plans;
    }

    protected override TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log) =>
        Train(Bind(layers, Overrides(InputsOf(context), outputDir)), log, parallel, OnErrorFor(context), context.Progress);
}
