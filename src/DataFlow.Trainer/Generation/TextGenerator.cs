using DataFlow.Trainer.Model;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Generation;

/// <summary>
/// Batched autoregressive sampling with a KV cache, for free text (<c>dataflow generate</c>), chat and RLHF rollouts.
/// Prompts of different lengths are left-padded; padding is hidden by the attention mask and each row's rotary
/// positions start at 0 on its first real token, and each row samples from its own seeded generator, so a row
/// generates exactly what it would alone. The prompt is processed in one pass, then one token per step. A row ends at
/// a stop token, after <c>MaxNewTokens</c>, or at the context length (unless <see cref="GenerationOptions.SlideContext"/>).
/// Every sampled token comes with its log-probability at the sampling temperature (PPO's old log-probs).
/// </summary>
public sealed class TextGenerator(Transformer model)
{
    /// <summary>Epsilon of the temperature division (TRL: <c>logits /= temperature + 1e-7</c>); temperature 0 then gives greedy's log-probs.</summary>
    public const double TemperatureEpsilon = 1e-7;

    /// <param name="onToken">Called with (row, token) for every sampled token, the stop token included (streaming).</param>
    /// <param name="firstRow">Global index of <paramref name="prompts"/>[0]: row b samples from the generator seeded by
    /// (seed, firstRow + b), so a share of a batch (data-parallel PPO) samples what the whole batch would.</param>
    /// <param name="promptWidth">Left-pad prompts to at least this width (the whole batch's, when this call generates a share of it).</param>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, GenerationOptions options, Action<int, int>? onToken = null,
        long firstRow = 0, int promptWidth = 0)
    {
        options.Validate();
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("every prompt needs at least one token (use the end-of-text token for an empty prompt)");
        var context = model.Config.ContextLength;
        var longest = Math.Max(promptWidth, prompts.Max(p => p.Length));
        if (!options.SlideContext && longest >= context)
            throw new ArgumentException($"a prompt of {longest} tokens leaves no room to generate in the model's context of {context} tokens");
        var device = model.tok_embeddings.weight!.device;
        var generators = prompts.Select((_, b) => new Generator((ulong)DeterministicSeed.Of(options.Seed, firstRow + b), device)).ToArray();
        try
        {
            var outputs = prompts.Select(_ => new List<int>()).ToArray();
            var logProbs = prompts.Select(_ => new List<float>()).ToArray();
            var stops = new int?[prompts.Count];
            var active = Enumerable.Range(0, prompts.Count).ToList();
            var windowPrompts = prompts.Select(p => p.Length >= context ? p[^(context - 1)..] : p).ToArray();
            for (var width = promptWidth; active.Count > 0 && outputs[active[0]].Count < options.MaxNewTokens; width = 0)
            {
                var produced = outputs[active[0]].Count; // every active row has produced the same number
                var rows = active.ToArray();
                var results = GenerateWindow(rows.Select(r => windowPrompts[r]).ToArray(), rows.Select(r => generators[r]).ToArray(),
                    options.MaxNewTokens - produced, options, width, onToken is null ? null : (i, token) => onToken(rows[i], token));
                var stillActive = new List<int>();
                for (var i = 0; i < rows.Length; i++)
                {
                    var (row, result) = (rows[i], results[i]);
                    outputs[row].AddRange(result.Tokens);
                    logProbs[row].AddRange(result.LogProbs);
                    if (result.Stop is { } stop) stops[row] = stop;
                    else stillActive.Add(row);
                    var sequence = windowPrompts[row].Concat(result.Tokens).ToArray();
                    windowPrompts[row] = sequence[^Math.Min(sequence.Length, Math.Max(1, context / 2))..];
                }
                active = options.SlideContext ? stillActive : [];
            }
            return outputs.Select((o, b) => new GeneratedSequence(o.ToArray(), stops[b] is null ? "length" : "stop_token", stops[b], logProbs[b].ToArray())).ToArray();
        }
        finally
        {
            foreach (var generator in generators) generator.Dispose();
        }
    }

    private sealed record WindowResult(List<int> Tokens, List<float> LogProbs, int? Stop);

    /// <summary>Generates until a stop token, <paramref name="maxNew"/> tokens, or the end of one context window.</summary>
    private WindowResult[] GenerateWindow(IReadOnlyList<int[]> prompts, IReadOnlyList<Generator> generators, int maxNew, GenerationOptions options,
        int promptWidth, Action<int, int>? onToken)
    {
        var context = model.Config.ContextLength;
        var promptLength = Math.Max(promptWidth, prompts.Max(p => p.Length));
        var batch = prompts.Count;
        var total = Math.Min(context, promptLength + maxNew);
        var pads = prompts.Select(p => promptLength - p.Length).ToArray();
        var device = model.tok_embeddings.weight!.device;

        using var noGrad = no_grad();
        using var outer = NewDisposeScope();
        var wasTraining = model.training;
        model.eval();
        using var cache = new KvCache(model.Config, batch, total, device, model.tok_embeddings.weight!.dtype);

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

        var results = Enumerable.Range(0, batch).Select(_ => new WindowResult([], [], null)).ToArray();
        var stop = options.StopTokens.ToHashSet();
        for (var slot = promptLength; slot < total; slot++)
        {
            using var scope = NewDisposeScope();
            var next = options.Temperature == 0
                ? logits.argmax(-1)
                : cat(Enumerable.Range(0, batch).Select(b => Sample(logits.narrow(0, b, 1), options, generators[b])).ToArray());
            var logProbs = TokenLogProbs(logits, next, options.Temperature).cpu().data<float>().ToArray();
            var ids = next.cpu().data<long>().ToArray();
            for (var b = 0; b < batch; b++)
            {
                if (results[b].Stop is not null) continue;
                var id = (int)ids[b];
                results[b].LogProbs.Add(logProbs[b]);
                onToken?.Invoke(b, id);
                if (stop.Contains(id)) results[b] = results[b] with { Stop = id };
                else results[b].Tokens.Add(id);
            }
            if (results.All(r => r.Stop is not null) || slot + 1 == total) break;
            var step = new InferenceStep(
                cache,
                slot,
                (tensor(slot, device: device) - padTensor).view(batch, 1),
                valid.narrow(1, 0, slot + 1).view(batch, 1, 1, slot + 1));
            var newLogits = model.Forward(next.view(batch, 1), step).select(1, -1);
            logits = newLogits.MoveToOuterDisposeScope();
        }
        if (wasTraining) model.train();
        return results;
    }

    /// <summary>Logits divided by the temperature, in float32: the distribution sampling draws from and log-probs are taken under.</summary>
    public static Tensor Tempered(Tensor logits, double temperature) => logits.to(ScalarType.Float32) / (temperature + TemperatureEpsilon);

    /// <summary>log p(token) at <paramref name="temperature"/> (no top-k/top-p): logits [..., V], tokens [...] -> [...].</summary>
    public static Tensor TokenLogProbs(Tensor logits, Tensor tokens, double temperature)
    {
        using var scope = NewDisposeScope();
        return Tempered(logits, temperature).log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Next token per row from logits [B, vocab]: greedy, or temperature + top-k + top-p sampling.</summary>
    public static Tensor Sample(Tensor logits, GenerationOptions options, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        if (options.Temperature == 0) return logits.argmax(-1).MoveToOuterDisposeScope();
        var scaled = Tempered(logits, options.Temperature);
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
