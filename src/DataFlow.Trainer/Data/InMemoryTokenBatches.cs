using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Data;

/// <summary>
/// Batches from rows held in memory, in a shuffled order per epoch keyed by (seed, epoch): for tests, benchmarks and
/// small experiments. Position is (epoch, step), like the shard sampler's.
/// </summary>
public sealed class InMemoryTokenBatches : ITokenBatches
{
    private readonly int[][] _rows;
    private readonly long _seed;
    private readonly bool _shuffle;
    private int[] _order = [];
    private int _epoch = -1;
    private long _step;

    public InMemoryTokenBatches(int[][] rows, int batchSize, long seed, bool shuffle = true)
    {
        if (rows.Length < batchSize) throw new ArgumentException($"{rows.Length} rows cannot fill a batch of {batchSize}");
        if (rows.Select(r => r.Length).Distinct().Count() != 1) throw new ArgumentException("all rows must have the same length (seq_len + 1)");
        (_rows, BatchSize, _seed, _shuffle) = (rows, batchSize, seed, shuffle);
        SeqLen = rows[0].Length - 1;
        SetEpoch(0);
    }

    /// <summary>Cuts a token stream into consecutive rows of seqLen + 1 tokens (the last partial row is dropped).</summary>
    public static int[][] Chunk(ReadOnlySpan<int> tokens, int seqLen)
    {
        var rows = new int[tokens.Length / (seqLen + 1)][];
        for (var i = 0; i < rows.Length; i++) rows[i] = tokens.Slice(i * (seqLen + 1), seqLen + 1).ToArray();
        return rows;
    }

    public int BatchSize { get; }
    public int SeqLen { get; }
    public long StepsPerEpoch => _rows.Length / BatchSize;

    public (Tensor Inputs, Tensor Targets) Next()
    {
        if (_step == StepsPerEpoch) { SetEpoch(_epoch + 1); }
        var tokens = new int[BatchSize * (SeqLen + 1)];
        for (var i = 0; i < BatchSize; i++)
            _rows[_order[_step * BatchSize + i]].CopyTo(tokens, i * (SeqLen + 1));
        _step++;
        return TokenRows.ToBatch(tokens, BatchSize, SeqLen + 1);
    }

    public JsonNode Position
    {
        get => new JsonObject { ["epoch"] = _epoch, ["step"] = _step };
        set
        {
            SetEpoch(value["epoch"].Deserialize<int>());
            _step = value["step"].Deserialize<long>();
        }
    }

    private void SetEpoch(int epoch)
    {
        _epoch = epoch;
        _step = 0;
        _order = Enumerable.Range(0, _rows.Length).ToArray();
        if (_shuffle) new Random(unchecked((int)(_seed * 1_000_003 + epoch))).Shuffle(_order);
    }

    public void Dispose() { }
}
