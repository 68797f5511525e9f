using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>Where a document stage reads from and how it writes.</summary>
public sealed record DocumentStageOptions
{
    /// <summary>Input patterns (files, folders, globs); null reads the previous stage's shards, task for task.</summary>
    public IReadOnlyList<string>? Input { get; init; }

    /// <summary>Number of tasks when reading raw input (capped at the number of files).</summary>
    public int Tasks { get; init; } = Environment.ProcessorCount;

    public ReadOptions Read { get; init; } = ReadOptions.Default;
    public ShardWriteOptions Write { get; init; } = ShardWriteOptions.Default;

    /// <summary>Also write dropped documents, with a "reason" column, to OUT/removed/.</summary>
    public bool KeepRemoved { get; init; }
}
