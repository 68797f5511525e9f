using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Engine.Tokens;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Data;

/// <summary>
/// Batches read from one split of a token dataset (Tokenize's Parquet shards) in the order of a
/// <see cref="TokenBatchSampler"/>: shuffled per epoch for training, or in row order for evaluation.
/// Every batch is checked against the model's vocabulary, so shards from another tokenizer fail by name.
/// </summary>
public sealed class ShardTokenBatches : ITokenBatches
{
    private readonly TokenShardDataset _dataset;
    private readonly TokenBatchSampler? _sampler;
    private readonly int _vocabSize;
    private readonly long[] _rows;
    private readonly int[] _tokens;
    private long _sequentialStep;

    public ShardTokenBatches(string directory, string split, int batchSize, long seed, int vocabSize, bool shuffle = true, int rank = 0, int worldSize = 1)
    {
        _dataset = TokenShardDataset.Open(directory, split);
        if (_dataset.RowCount < batchSize)
            throw new InvalidDataException($"{directory}: the {split} split has {_dataset.RowCount} rows, fewer than one batch of {batchSize}");
        _sampler = shuffle ? new TokenBatchSampler(_dataset.RowCount, batchSize, seed, rank, worldSize) : null;
        (BatchSize, _vocabSize) = (batchSize, vocabSize);
        _rows = new long[batchSize];
        _tokens = new int[batchSize * _dataset.RowLength];
    }

    public TokenDatasetManifest Manifest => _dataset.Manifest;
    public int BatchSize { get; }
    public int SeqLen => _dataset.SeqLen;
    public long RowCount => _dataset.RowCount;

    public (Tensor Inputs, Tensor Targets) Next()
    {
        if (_sampler is not null)
        {
            _sampler.NextBatch(_rows);
        }
        else
        {
            var stepsPerPass = _dataset.RowCount / BatchSize;
            var first = _sequentialStep++ % stepsPerPass * BatchSize;
            for (var i = 0; i < BatchSize; i++) _rows[i] = first + i;
        }
        _dataset.ReadRows(_rows, _tokens);
        var rowLength = _dataset.RowLength;
        TokenRows.CheckVocabulary(_tokens, _vocabSize, i => $"{_dataset.Split} row {_rows[i / rowLength]} of {Manifest.Tokenizer} shards");
        return TokenRows.ToBatch(_tokens, BatchSize, rowLength);
    }

    public JsonNode Position
    {
        get => _sampler is not null
            ? new JsonObject { ["epoch"] = _sampler.Position.Epoch, ["step"] = _sampler.Position.Step }
            : new JsonObject { ["epoch"] = 0, ["step"] = _sequentialStep };
        set
        {
            var (epoch, step) = (value["epoch"].Deserialize<int>(), value["step"].Deserialize<long>());
            if (_sampler is not null) _sampler.Position = new TokenSamplerPosition(epoch, step);
            else _sequentialStep = step;
        }
    }

    public void Dispose() => _dataset.Dispose();
}
