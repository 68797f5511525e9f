using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Data;

/// <summary>
/// An endless, deterministic stream of training batches. <see cref="Position"/> is everything needed to continue
/// the stream exactly; it is saved in checkpoints as JSON.
/// </summary>
public interface ITokenBatches : IDisposable
{
    int BatchSize { get; }
    int SeqLen { get; }

    /// <summary>Inputs and next-token targets, both int64 [BatchSize, SeqLen]; created in the caller's dispose scope.</summary>
    (Tensor Inputs, Tensor Targets) Next();

    JsonNode Position { get; set; }
}
