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

    /// <summary>Known name or absolute path of a tokenizer JSON file (see <see cref="TokenizerReference"/>), or an earlier stage's name.</summary>
    public required string Tokenizer { get; init; }
    /// <summary>Set when <see cref="Tokenizer"/> names an earlier <c>tokenizer_train</c> stage: its tokenizer.json becomes the last input of each task.</summary>
    public bool TokenizerFromStage { get; init; }
    public int SeqLen { get; init; } = DefaultSeqLen;
    /// <summary>When false (default), special-token strings inside documents are encoded as ordinary text, so data cannot inject end-of-text or role ids.</summary>
    public bool AllowSpecialTokens { get; init; }
    public double ValidationFraction { get; init; } = DefaultValidationFraction;
    /// <summary>Seed of the global row shuffle.</summary>
    public long Seed { get; init; }
    /// <summary>Partitions of the shuffle exchange = tasks of the shuffle stage = shard pairs written; each must fit in memory.</summary>
    public int ShuffleTasks { get; init; } = Environment.ProcessorCount;
    public int RowGroupRows { get; init; } = Engine.Tokens.TokenShardWriter.DefaultRowGroupRows;

    public int RowLength => SeqLen + 1;
}
