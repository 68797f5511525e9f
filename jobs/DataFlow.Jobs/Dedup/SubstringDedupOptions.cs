using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Dedup;

/// <summary>Options of exact substring dedup (<c>type: substring_dedup</c>), validated once when the pipeline is built.</summary>
public sealed record SubstringDedupOptions
{
    /// <summary>Where documents come from and how the filter writes them. One task = one part with its own suffix array.</summary>
    public DocumentStageOptions Documents { get; init; } = new();

    /// <summary>Shortest repeated span removed, in tokens; the tokens are UTF-8 bytes (the project's byte-level unit).</summary>
    public int MinTokens { get; init; } = 50;

    public SubstringRemoval Remove { get; init; } = SubstringRemoval.AllButFirst;

    /// <summary>A document left with fewer tokens (UTF-8 bytes) than this after removal is dropped (0 keeps every one).</summary>
    public int MinDocTokens { get; init; } = 50;

    /// <summary>Tasks of the match stage, each merging one range of suffixes of every part; 0 = as many as parts.</summary>
    public int MergeTasks { get; init; }

    public SubstringDedupOptions Validate()
    {
        if (MinTokens < 2) throw new ArgumentException($"min_tokens {MinTokens} must be at least 2");
        if (MinDocTokens < 0) throw new ArgumentException($"min_doc_tokens {MinDocTokens} must not be negative");
        if (MergeTasks < 0) throw new ArgumentException($"merge_tasks {MergeTasks} must not be negative");
        return this;
    }
}
