namespace DataFlow.Text.Dedup;

/// <summary>What exact dedup hashes (config key <c>exact</c>).</summary>
public enum ExactMode
{
    /// <summary>No exact dedup (<c>exact: false</c>).</summary>
    Off,

    /// <summary>The text as written, every character (<c>exact: true</c> or <c>exact: written</c>, the default).</summary>
    Written,

    /// <summary>
    /// The dedup-normalized text (<c>exact: normalized</c>): lowercase, Latin/Greek/Cyrillic accents folded, every
    /// number one '0', punctuation and whitespace runs one space. Two invoices that differ only in amounts are equal.
    /// </summary>
    Normalized,
}
