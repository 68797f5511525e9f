using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// The rank's share of a global batch stream: every rank draws the same global batch of B rows (the stream is
/// deterministic) and keeps rows [rank*B/N, (rank+1)*B/N). So N ranks together see exactly the batches one rank
/// would, and the position saved in a checkpoint is the global one.
/// </summary>
public sealed class RankShardedBatches : Data.ITokenBatches
{
    private readonly Data.ITokenBatches _global;
    private readonly int _rank;

    public RankShardedBatches(Data.ITokenBatches global, int rank, int size)
    {
        if (size < 1 || rank < 0 || rank >= size) throw new ArgumentException($"rank {rank} of {size} is not a valid rank");
        if (global.BatchSize % size != 0)
            throw new ArgumentException($"the global batch size {global.BatchSize} must divide evenly over {size} ranks");
        (_global, _rank) = (global, rank);
        BatchSize = global.BatchSize / size;
    }

    public int BatchSize { get; }
    public int SeqLen => _global.SeqLen;
    public int GlobalBatchSize => _global.BatchSize;

    public (Tensor Inputs, Tensor Targets) Next()
    {
        var (inputs, targets) = _global.Next();
        var start = _rank * BatchSize;
        return (inputs.narrow(0, start, BatchSize).contiguous(), targets.narrow(0, start, BatchSize).contiguous());
    }

    public JsonNode Position
    {
        get => _global.Position;
        set => _global.Position = value;
    }

    public void Dispose() => _global.Dispose();
}
