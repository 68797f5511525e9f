namespace DataFlow.Jobs.Dedup;

/// <summary>Which occurrences of a repeated span substring dedup removes.</summary>
public enum SubstringRemoval
{
    /// <summary>Every occurrence after the first (in input order: task, then document, then byte).</summary>
    AllButFirst,

    /// <summary>Every occurrence, the first included (what Lee et al. 2022 do).</summary>
    All,
}
