namespace DataFlow.Trainer.Sft;

/// <summary>How <c>sft_prepare</c> lays conversations into rows of exactly <c>max_tokens</c> tokens.</summary>
public enum SftShardLayout
{
    /// <summary>One conversation per row, padded with the pad id; a <c>length</c> column holds its true length.</summary>
    Padded,

    /// <summary>
    /// Whole conversations concatenated into each row (never split), the row's tail padded; a <c>segment_ids</c> column
    /// numbers each token's conversation (1, 2, ...; 0 for padding), so attention, positions and loss stay per conversation.
    /// </summary>
    Packed,
}
