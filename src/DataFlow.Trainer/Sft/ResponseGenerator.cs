using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Batched generation for chat prompts of different lengths: prompts are left-padded, one prefill fills the KV cache,
/// then one token per step attends to the cache; pads are hidden by the mask and positions start at each prompt's
/// first real token, so a padded row generates exactly what it would alone. A row stops at any stop id.
/// </summary>
public static class ResponseGenerator
{
    /// <param name="rowGenerators">One generator per row: each row's samples then depend on its own seed alone, not on
    /// which other prompts share the batch (data-parallel PPO splits a batch over ranks and must sample what one process would).</param>
    /// <param name="promptWidth">Left-pad prompts to at least this width (the whole batch's, when this call generates a share of it).</param>
    /// <returns>Per row, the generated ids (including the stop token when one was produced).</returns>
    public static List<int>[] Generate(Transformer model, IReadOnlyList<int[]> prompts, SamplingOptions options,
        IReadOnlySet<int> stopIds, int padId, Generator? generator = null, Action<int, int>? onToken = null,
        IReadOnlyList<Generator>? rowGenerators = null, int promptWidth = 0)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batch = prompts.Count;
        if (rowGenerators is not null && rowGenerators.Count != batch) throw new ArgumentException($"{rowGenerators.Count} row generators for {batch} prompts");
        var promptLength = Math.Max(promptWidth, prompts.Max(p => p.Length));
        var maxNew = Math.Min(options.MaxNewTokens, model.Config.ContextLength - promptLength);
        if (maxNew <= 0) throw new ArgumentException($"prompt of {promptLength} tokens leaves no room in context {model.Config.ContextLength}");
        var total = promptLength + maxNew;

        var tokens = new long[batch, total];
        var pads = new int[batch];
        for (var b = 0; b < batch; b++)
        {
            pads[b] = promptLength - prompts[b].Length;
            for (var i = 0; i < total; i++) tokens[b, i] = padId;
            for (var i = 0; i < prompts[b].Length; i++) tokens[b, pads[b] + i] = prompts[b][i];
        }
        var padTensor = tensor(pads.Select(p => (long)p).ToArray()).view(batch, 1);
        var responses = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var done = new bool[batch];

        using var cache = options.UseKvCache ? new KvCache(model.Config, batch, total) : null;
        var start = 0;
        var length = promptLength; // tokens known so far
        for (var step = 0; step < maxNew && !done.All(d => d); step++)
        {
            using var stepScope = NewDisposeScope();
            Tensor logits;
            if (cache is not null)
            {
                var input = tensor(Slice(tokens, start, length)).view(batch, length - start);
                logits = model.Forward(input, Step(cache, start, length, padTensor));
                start = length;
            }
            else
            {
                // Without a cache every step recomputes the whole sequence through a fresh one.
                using var fresh = new KvCache(model.Config, batch, length);
                var input = tensor(Slice(tokens, 0, length)).view(batch, length);
                logits = model.Forward(input, Step(fresh, 0, length, padTensor));
            }
            var last = logits.select(1, -1);
            var next = rowGenerators is null
                ? Sample(last, options, generator).data<long>().ToArray()
                : Enumerable.Range(0, batch).Select(b => Sample(last.narrow(0, b, 1), options, rowGenerators[b]).item<long>()).ToArray();
            for (var b = 0; b < batch; b++)
            {
                tokens[b, length] = done[b] ? padId : next[b];
                if (done[b]) continue;
                responses[b].Add((int)next[b]);
                onToken?.Invoke(b, (int)next[b]);
                if (stopIds.Contains((int)next[b])) done[b] = true;
            }
            length++;
        }
        return responses;
    }

    /// <summary>Positions and mask for new tokens in slots [start, end): each row counts positions from its first real token.</summary>
    private static InferenceStep Step(KvCache cache, int start, int end, Tensor pads)
    {
        var batch = pads.shape[0];
        var slots = arange(start, end, dtype: int64).view(1, -1);
        var positions = (slots - pads).clamp_min(0);
        var keys = arange(0, end, dtype: int64).view(1, 1, -1);
        var causal = keys <= slots.view(1, -1, 1);             // [1, T, end]
        var real = keys >= pads.view(batch, 1, 1);              // [B, 1, end]
        var mask = (causal & real).unsqueeze(1);                // [B, 1, T, end]
        return new InferenceStep(cache, start, positions.expand(batch, -1).contiguous(), mask);
    }

    private static Tensor Sample(Tensor logits, SamplingOptions options, Generator? generator)
    {
        if (options.Temperature <= 0) return logits.argmax(-1);
        var scaled = logits / options.Temperature;
        if (options.TopK > 0 && options.TopK < scaled.shape[^1])
        {
            var kth = scaled.topk(options.TopK, dim: -1).values.select(-1, -1).unsqueeze(-1);
            scaled = scaled.masked_fill(scaled < kth, double.NegativeInfinity);
        }
        return multinomial(scaled.softmax(-1), 1, generator: generator).squeeze(-1);
    }

    private static long[] Slice(long[,] tokens, int from, int to)
    {
        var batch = tokens.GetLength(0);
        var result = new long[batch * (to - from)];
        for (var b = 0; b < batch; b++)
            for (var i = from; i < to; i++) result[b * (to - from) + i - from] = tokens[b, i];
        return result;
    }
}
