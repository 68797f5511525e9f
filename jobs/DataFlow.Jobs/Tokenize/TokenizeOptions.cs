using DataFlow.Engine.Documents;

namespace DataFlow.Jobs.Tokenize;

/// <summary>Settings of the tokenize stage (see docs/tokenize.md for the YAML keys and defaults).</summary>
public sealed record TokenizeOptions
{
    public const int DefaultSeqLen = 1024;
    public const double DefaultValidationFraction = 0.01;

    /// <summary>Raw input patterns; null reads the previous stage's document shards.</summary>
    public IReadOnlyList<string>? Input { get; init; }
    public int Tasks { get; init; } = Environment.ProcessorCount;
    public ReadOptions Read { get; init; } = ReadOptions.Default;

    /// <summary>Known name or absolute path of a tokenizer JSON file (see <see cref="TokenizerReference"/>).</summary>
    public required string Tokenizer { get; init; }
    public int SeqLen { get; init; } = DefaultSeqLen;
    public double ValidationFraction { get; init; } = DefaultValidationFraction;
    /// <summary>Seed of the global row shuffle.</summary>
    public long Seed { get; init; }
    /// <summary>Partitions of the shuffle exchange = tasks of the shuffle stage = shard pairs written; each must fit in memory.</summary>
    public int ShuffleTasks { get; init; } = Environment.ProcessorCount;
    public int RowGroupRows { get; init; } = Engine.Tokens.TokenShardWriter.DefaultRowGroupRows;

    public int RowLength => SeqLen + 1;
}
