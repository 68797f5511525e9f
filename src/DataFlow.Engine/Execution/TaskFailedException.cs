namespace DataFlow.Engine.Execution;

/// <summary>A task failed; names the stage and task so the user knows what to look at.</summary>
public sealed class TaskFailedException(string stage, int index, Exception inner)
    : Exception($"stage '{stage}' task {index} failed: {inner.Message}", inner)
{
    public string Stage { get; } = stage;
    public int Index { get; } = index;
}
