namespace DataFlow.Trainer.Reward;

/// <summary>What to do with a preference pair whose rendered conversation is longer than <c>max_tokens</c>.</summary>
public enum PreferenceTruncation
{
    /// <summary>Reject the pair (reject sink: skip writes it to rejects.jsonl, fail stops the run).</summary>
    None,

    /// <summary>
    /// Keep the last <c>max_tokens</c> tokens of each side. Chosen and rejected dialogues share their beginning and
    /// differ in the last assistant turn, so the end is where the difference is; the last token stays the
    /// end-of-text the value head reads.
    /// </summary>
    Left,
}
