using System.Text.Json.Nodes;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Checkpoints;

/// <summary>
/// <c>state.json</c> of a checkpoint: everything besides tensors that an exact resume needs, plus the model config
/// and tokenizer so the folder alone rebuilds the model. Written last; its file checksums guard the tensor files.
/// </summary>
public sealed record CheckpointState
{
    public const string FileName = "state.json";
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Which trainer wrote it (pretrain, sft, ...).</summary>
    public required string Kind { get; init; }
    public required ModelConfig Model { get; init; }
    public TokenizerInfo? Tokenizer { get; init; }

    /// <summary>Optimizer steps completed; training continues with this step.</summary>
    public required long Step { get; init; }
    public long TokensSeen { get; init; }
    public long OptimizerStepCount { get; init; }
    public JsonNode? DataPosition { get; init; }

    /// <summary>libtorch CPU generator state, base64.</summary>
    public string? RngState { get; init; }
    public double? LastTrainLoss { get; init; }
    public double? LastValLoss { get; init; }

    /// <summary>The schedule and options in force, for the record and for trainers that build on this one.</summary>
    public JsonNode? Options { get; init; }

    /// <summary>SHA-256 (hex) of every other file in the folder.</summary>
    public Dictionary<string, string> Files { get; init; } = [];
}
