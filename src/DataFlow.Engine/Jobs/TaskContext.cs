using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Everything one running task may use. Outputs go through <see cref="CreateOutput"/> so they appear atomically.</summary>
public sealed class TaskContext
{
    private readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);

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
