using static TorchSharp.torch;

namespace DataFlow.Trainer.Model;

/// <summary>Keys and values of every layer for a batch of sequences, preallocated to the longest length generation will reach.</summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys, _values;

    public KvCache(ModelConfig config, int batch, int maxLength, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (maxLength > config.ContextLength)
            throw new ArgumentException($"cache of {maxLength} positions exceeds the model's context length {config.ContextLength}");
        MaxLength = maxLength;
        _keys = new Tensor[config.Layers];
        _values = new Tensor[config.Layers];
        for (var i = 0; i < config.Layers; i++)
        {
            _keys[i] = zeros([batch, config.KvHeadCount, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
            _values[i] = zeros([batch, config.KvHeadCount, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    public int MaxLength { get; }

    /// <summary>Writes k, v [B, kvHeads, T, headDim] at slot <paramref name="start"/>; returns the cache up to start + T.</summary>
    public (Tensor Keys, Tensor Values) Append(int layer, Tensor k, Tensor v, int start)
    {
        var t = (int)k.shape[2];
        if (start + t > MaxLength) throw new InvalidOperationException($"KV cache full: {start + t} > {MaxLength} positions");
        using (no_grad())
        {
            _keys[layer].narrow(2, start, t).copy_(k);
            _values[layer].narrow(2, start, t).copy_(v);
        }
        return (_keys[layer].narrow(2, 0, start + t), _values[layer].narrow(2, 0, start + t));
    }

    public void Dispose()
    {
        foreach (var tensor in _keys.Concat(_values)) tensor.Dispose();
    }
}
