using DataFlow.Trainer.Model;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Generation;

/// <summary>
/// Batched autoregressive sampling with a KV cache. Prompts of different lengths are left-padded; padding is
/// hidden by the attention mask and each row's rotary positions start at 0 on its first real token, so a row
/// generates exactly what it would alone. The prompt is processed in one pass, then one token per step.
/// Past the context length, generation slides (as nanoGPT crops): the last half context is re-read as a new prompt.
/// </summary>
public sealed class TextGenerator(Transformer model)
{
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        options.Validate();
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token (use the end-of-text token for an empty prompt)");
        var context = model.Config.ContextLength;
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        var reasons = Enumerable.Repeat("length", prompts.Count).ToArray();
        var active = Enumerable.Range(0, prompts.Count).ToList();
        var windowPrompts = prompts.Select(p => p.Length >= context ? p[^(context - 1)..] : p).ToArray();
        for (var window = 0; active.Count > 0 && outputs[active[0]].Count < options.MaxNewTokens; window++)
        {
            var produced = outputs[active[0]].Count; // every active row has produced the same number
            var results = GenerateWindow(active.Select(r => windowPrompts[r]).ToArray(),
                options with { MaxNewTokens = options.MaxNewTokens - produced, Seed = options.Seed + window });
            var stillActive = new List<int>();
            for (var i = 0; i < active.Count; i++)
            {
                var row = active[i];
                outputs[row].AddRange(results[i].Tokens);
                if (results[i].FinishReason == "stop_token") reasons[row] = "stop_token";
                else stillActive.Add(row);
                var sequence = windowPrompts[row].Concat(results[i].Tokens).ToArray();
                windowPrompts[row] = sequence[^Math.Min(sequence.Length, Math.Max(1, context / 2))..];
            }
            active = stillActive;
        }
        return outputs.Select((o, b) => new GeneratedSequence(o.ToArray(), reasons[b])).ToArray();
    }

    /// <summary>Generates until a stop token, <c>MaxNewTokens</c>, or the end of one context window.</summary>
    private GeneratedSequence[] GenerateWindow(IReadOnlyList<int[]> prompts, GenerationOptions options)
    {
        if (prompts.Count == 0) return [];
        var context = model.Config.ContextLength;
        var promptLength = prompts.Max(p => p.Length);
        var batch = prompts.Count;
        var total = Math.Min(context, promptLength + options.MaxNewTokens);
        var pads = prompts.Select(p => promptLength - p.Length).ToArray();
        var device = model.tok_embeddings.weight!.device;

        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        var wasTraining = model.training;
        model.eval();
        using var cache = new KvCache(model.Config, batch, total, device, model.tok_embeddings.weight!.dtype);
        using var generator = new Generator((ulong)options.Seed, device);

        var padded = new long[batch * promptLength];
        for (var b = 0; b < batch; b++)
            for (var i = 0; i < prompts[b].Length; i++) padded[b * promptLength + pads[b] + i] = prompts[b][i];
        var padTensor = tensor(pads.Select(p => (long)p).ToArray(), device: device).view(batch, 1);
        // valid[b, j]: slot j of row b holds a real token (left padding is not).
        var valid = arange(total, device: device).view(1, total).ge(padTensor);

        var tokens = tensor(padded, [batch, promptLength], device: device);
        var positions = (arange(promptLength, device: device).view(1, promptLength) - padTensor).clamp_min(0);
        var causal = ones(promptLength, promptLength, dtype: ScalarType.Bool, device: device).tril();
        // Every query may see itself, so a padding row is never fully masked (its output is unused).
        var mask = causal.view(1, 1, promptLength, promptLength)
            .logical_and(valid.narrow(1, 0, promptLength).view(batch, 1, 1, promptLength))
            .logical_or(eye(promptLength, dtype: ScalarType.Bool, device: device).view(1, 1, promptLength, promptLength));
        var logits = model.Forward(tokens, new InferenceStep(cache, 0, positions, mask)).select(1, -1);

        var outputs = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var reasons = Enumerable.Repeat("length", batch).ToArray();
        var finished = new bool[batch];
        var stop = options.StopTokens.ToHashSet();
        for (var slot = promptLength; slot < total; slot++)
        {
            using var scope = NewDisposeScope();
            var next = Sample(logits, options, generator).data<long>().ToArray();
            for (var b = 0; b < batch; b++)
            {
                if (finished[b]) continue;
                if (stop.Contains((int)next[b])) { finished[b] = true; reasons[b] = "stop_token"; }
                else outputs[b].Add((int)next[b]);
            }
            if (finished.All(f => f) || slot + 1 == total) break;
            var step = new InferenceStep(
                cache,
                slot,
                (tensor(slot, device: device) - padTensor).view(batch, 1),
                valid.narrow(1, 0, slot + 1).view(batch, 1, 1, slot + 1));
            var newLogits = model.Forward(tensor(next, [batch, 1], device: device), step).select(1, -1);
            logits = newLogits.MoveToOuterDisposeScope();
        }
        if (wasTraining) model.train();
        return outputs.Select((o, b) => new GeneratedSequence(o.ToArray(), reasons[b])).ToArray();
    }

    /// <summary>Next token per row from logits [B, vocab]: greedy, or temperature + top-k + top-p sampling.</summary>
    public static Tensor Sample(Tensor logits, GenerationOptions options, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        if (options.Temperature == 0) return logits.argmax(-1).MoveToOuterDisposeScope();
        var scaled = logits.to(ScalarType.Float32) / options.Temperature;
        if (options.TopK > 0 && options.TopK < scaled.shape[^1])
        {
            var kth = scaled.topk(options.TopK, dim: -1).values.narrow(-1, options.TopK - 1, 1);
            scaled = scaled.masked_fill(scaled.lt(kth), double.NegativeInfinity);
        }
        if (options.TopP < 1.0)
        {
            var (sorted, order) = scaled.sort(-1, descending: true);
            var probabilities = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already hold top_p of the mass (the first always stays).
            var drop = (probabilities.cumsum(-1) - probabilities).gt(options.TopP);
            scaled = scaled.scatter(-1, order, sorted.masked_fill(drop, double.NegativeInfinity));
        }
        return multinomial(scaled.softmax(-1), 1, generator: generator).squeeze(-1).MoveToOuterDisposeScope();
    }
}
