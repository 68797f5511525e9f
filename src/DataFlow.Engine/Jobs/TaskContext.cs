using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Everything one running task may use. Outputs go through <see cref="CreateOutput"/> so they appear atomically.</summary>
public sealed class TaskContext
{
    private readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);
    private int? _rank;

    internal TaskContext(RunFolder run, StageDefinition stage, TaskPlan plan, IRejectSink rejects, CancellationToken cancellation)
    {
        Run = run;
        Stage = stage;
        Plan = plan;
        Rejects = rejects;
        Cancellation = cancellation;
    }

    public RunFolder Run { get; }
    public StageDefinition Stage { get; }
    public TaskPlan Plan { get; }
    public int Index => Plan.Index;
    public IReadOnlyList<string> Inputs => Plan.Inputs;
    public IRejectSink Rejects { get; }
    public CancellationToken Cancellation { get; }
    public TaskStats Stats { get; } = new();
    public TaskProgress Progress { get; } = new();

    /// <summary>How many processes the executor started to run this task together (the stage's <c>resources.ranks</c>).</summary>
    public int Ranks => Stage.Resources.Ranks;

    /// <summary>
    /// This process's rank among <see cref="Ranks"/>, set by a job that <see cref="IStageJob.SupportsRanks"/> once it
    /// has joined the others. Only rank 0 commits the outputs, stats and completion marker; the others just finish.
    /// </summary>
    public int Rank
    {
        get => _rank ?? 0;
        set => _rank = value >= 0 && value < Ranks ? value
            : throw new ArgumentOutOfRangeException(nameof(value), $"task {Stage.Name}[{Index}] runs on {Ranks} rank(s); got rank {value}");
    }

    /// <summary>Whether the job said which rank this process is (required when <see cref="Ranks"/> > 1, or every rank would commit).</summary>
    internal bool RankKnown => _rank is not null;

    /// <summary>
    /// Returns the temporary path to write a planned output to; the engine renames it to <paramref name="finalPath"/>
    /// only after the whole task succeeds.
    /// </summary>
    public string CreateOutput(string finalPath)
    {
        if (!Plan.Outputs.Contains(finalPath))
            throw new InvalidOperationException($"task {Stage.Name}[{Index}] wrote '{finalPath}', which its plan does not list");
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        var temp = AtomicFile.TempPathFor(finalPath);
        _outputs[finalPath] = temp;
        return temp;
    }

    internal IReadOnlyDictionary<string, string> CreatedOutputs => _outputs;
}
