using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>The keys of a <c>sft_prepare</c> stage.</summary>
public sealed record SftPrepareOptions
{
    public const int DefaultMaxTokens = 128;

    /// <summary>Input patterns (JSONL files, folders, globs).</summary>
    public required IReadOnlyList<string> Input { get; init; }

    /// <summary>Number of tasks (capped at the number of input files).</summary>
    public int Tasks { get; init; } = Environment.ProcessorCount;

    public ChatFormat Format { get; init; } = ChatFormat.Auto;
    public LossTarget LossOn { get; init; } = LossTarget.AssistantOnly;

    /// <summary>Tokens per row; a longer conversation is a bad record.</summary>
    public int MaxTokens { get; init; } = DefaultMaxTokens;

    public SftShardLayout Layout { get; init; } = SftShardLayout.Padded;

    public int RowGroupRows { get; init; } = 1024;

    /// <summary>A model folder (its tokenizer), a known tokenizer name or a tokenizer JSON file: the ids must be the model's.</summary>
    public string Tokenizer { get; init; } = "bytes";
}
