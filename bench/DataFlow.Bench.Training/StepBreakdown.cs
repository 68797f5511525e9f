using System.Diagnostics;
using System.Globalization;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DataFlow.Bench.Training;

/// <summary>
/// Where a training step's time goes. First the real step with a timer around each part (batch assembly, forward,
/// backward, clip, AdamW, zero_grad, disposing the step's tensors); then the forward and backward split by module,
/// each module run alone on a [batch, T, dim] input that needs a gradient (as inside the model) and timed forward and
/// backward. Each part's model FLOPs (the matmul shapes it runs) over its time gives its share of the matmul peak.
/// </summary>
public static class StepBreakdown
{
    private sealed class Phases
    {
        public readonly List<(string Name, double Seconds, double CpuSeconds, double Flops)> Rows = [];

        public void Time(string name, double flops, Action action)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            var wall = Stopwatch.GetTimestamp();
            action();
            var seconds = Stopwatch.GetElapsedTime(wall).TotalSeconds;
            var index = Rows.FindIndex(r => r.Name == name);
            var row = (name, seconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds, flops);
            if (index < 0) Rows.Add(row);
            else Rows[index] = (name, Rows[index].Seconds + row.Item2, Rows[index].CpuSeconds + row.Item3, Rows[index].Flops + flops);
        }
    }

    public static IEnumerable<string> Run(ModelConfig config, int batch, int steps, double peak, double peakCpu)
    {
        manual_seed(2);
        using var model = new Transformer(config);
        using var optimizer = new AdamW(model.named_parameters(), weightDecay: 0.1);
        var parameters = optimizer.Parameters.ToArray();
        int t = config.ContextLength;
        double m = (double)batch * t, d = config.Dim, kv = config.KvHeadCount * config.HeadDim;
        var attentionFlops = config.Layers * (2 * m * d * (2 * d + 2 * kv) + 4 * batch * (double)t * t * d);
        var mlpFlops = config.Layers * 2 * m * d * config.Hidden * 3;
        var headFlops = 2 * m * d * config.VocabSize;

        var step = new Phases();
        for (var i = 0; i < steps + 1; i++)
        {
            var phases = i == 0 ? new Phases() : step; // the first step warms up
            var scope = NewDisposeScope();
            Tensor tokens = null!, loss = null!;
            phases.Time("batch assembly (randint, narrow)", 0, () => tokens = randint(config.VocabSize, [batch, t + 1], dtype: ScalarType.Int64));
            phases.Time("forward (whole model + loss)", attentionFlops + mlpFlops + headFlops, () => loss = model.Loss(tokens.narrow(1, 0, t), tokens.narrow(1, 1, t)));
            phases.Time("backward", 2 * (attentionFlops + mlpFlops + headFlops), () => loss.backward());
            phases.Time("clip_grad_norm_", 0, () => nn.utils.clip_grad_norm_(parameters, 1.0));
            phases.Time("AdamW step", 0, () => optimizer.Step(1e-4));
            phases.Time("zero_grad", 0, optimizer.ZeroGrad);
            phases.Time("dispose the step's tensors", 0, scope.Dispose);
        }

        // Each piece of the model run alone from leaf inputs that need a gradient, forward then backward (as often as a step runs it).
        var modules = new Phases();
        using var rotary = new Transformer.Rotary(config);
        var block = model.layers[0];
        long b = batch, heads = config.Heads, hd = config.HeadDim, kvHeads = config.KvHeadCount, hidden = config.Hidden;
        Tensor[] Leaves(params long[][] shapes) => shapes.Select(s => randn(s).requires_grad_()).ToArray();
        var pieces = new (string Name, int Count, double Flops, Func<Tensor[]> Inputs, Func<Tensor[], Tensor[]> Forward)[]
        {
            ("embedding lookup", 1, 0, () => [randint(config.VocabSize, [b, t], dtype: ScalarType.Int64)], x => [model.tok_embeddings.forward(x[0])]),
            ("RMSNorm", 2 * config.Layers + 1, 0, () => Leaves([b, t, config.Dim]), x => [block.attention_norm.forward(x[0])]),
            ("q/k/v projections", config.Layers, 2 * m * d * (d + 2 * kv), () => Leaves([b, t, config.Dim]),
                x => [block.attention.wq.call(x[0]), block.attention.wk.call(x[0]), block.attention.wv.call(x[0])]),
            ("rotary (q, k) + head transposes", config.Layers, 0, () => Leaves([b, t, config.Dim], [b, t, (long)kv]),
                x => [rotary.Apply(x[0].view(b, t, heads, hd).transpose(1, 2), null), rotary.Apply(x[1].view(b, t, kvHeads, hd).transpose(1, 2), null)]),
            ("scaled_dot_product_attention (causal)", config.Layers, 4 * b * (double)t * t * d, () => Leaves([b, heads, t, hd], [b, heads, t, hd], [b, heads, t, hd]),
                x => [F.scaled_dot_product_attention(x[0], x[1], x[2], is_casual: true)]),
            ("out projection (+ head merge)", config.Layers, 2 * m * d * d, () => Leaves([b, heads, t, hd]),
                x => [block.attention.wo.call(x[0].transpose(1, 2).reshape(b, t, config.Dim))]),
            ("residual adds", 2 * config.Layers, 0, () => Leaves([b, t, config.Dim], [b, t, config.Dim]), x => [x[0] + x[1]]),
            ("MLP up: w1, w3", config.Layers, 2 * m * d * hidden * 2, () => Leaves([b, t, config.Dim]),
                x => [block.feed_forward.w1.call(x[0]), block.feed_forward.w3.call(x[0])]),
            ("MLP SiLU(w1 x) * w3 x", config.Layers, 0, () => Leaves([b, t, hidden], [b, t, hidden]), x => [F.silu(x[0]) * x[1]]),
            ("MLP down: w2", config.Layers, 2 * m * hidden * d, () => Leaves([b, t, hidden]), x => [block.feed_forward.w2.call(x[0])]),
            ("LM head (tied embedding)", 1, 2 * m * d * config.VocabSize, () => Leaves([b, t, config.Dim]), x => [F.linear(x[0], model.HeadWeight)]),
            ("cross-entropy over the vocabulary", 1, 0, () => Leaves([b * t, config.VocabSize]),
                x => [F.cross_entropy(x[0], randint(config.VocabSize, [b * t], dtype: ScalarType.Int64))]),
        };
        for (var i = 0; i < steps + 1; i++)
        {
            var phases = i == 0 ? new Phases() : modules;
            foreach (var (name, count, flops, inputs, forward) in pieces)
            {
                for (var k = 0; k < count; k++)
                {
                    using var scope = NewDisposeScope();
                    var x = inputs();
                    Tensor[] y = null!;
                    phases.Time($"{name} forward", flops, () => y = forward(x));
                    var grads = y.Select(o => randn_like(o)).ToList();
                    phases.Time($"{name} backward", 2 * flops, () => autograd.backward(y, grads));
                }
            }
            optimizer.ZeroGrad();
        }

        var c = CultureInfo.InvariantCulture;
        IEnumerable<string> Table(string title, Phases phases, double total)
        {
            var totalCpu = phases.Rows.Sum(r => r.CpuSeconds);
            yield return title;
            foreach (var (name, seconds, cpu, flops) in phases.Rows)
                yield return string.Create(c, $"  {name,-50} {1000 * seconds / steps,7:F1} ms {100 * seconds / total,5:F1}% {1000 * cpu / steps,7:F1} CPU-ms {100 * cpu / totalCpu,5:F1}%") +
                             (flops > 0 ? string.Create(c, $"  {flops / cpu / 1e9,5:F1} GFLOP/CPU-s = {100 * flops / cpu / peakCpu,5:F1}% of peak ({100 * flops / seconds / peak,5:F1}% wall)") : "");
        }
        var stepTotal = step.Rows.Sum(r => r.Seconds);
        foreach (var line in Table(string.Create(c, $"step breakdown, TorchSharp ({steps} steps, mean per step; {1000 * stepTotal / steps:F0} ms, {1000 * step.Rows.Sum(r => r.CpuSeconds) / steps:F0} CPU-ms per step; % of the fp32 peak per CPU-second and per wall second):"), step, stepTotal)) yield return line;
        var moduleTotal = modules.Rows.Sum(r => r.Seconds);
        foreach (var line in Table(string.Create(c, $"forward and backward by piece, each run alone from leaf inputs, as often as a step runs it ({1000 * moduleTotal / steps:F0} ms, {1000 * modules.Rows.Sum(r => r.CpuSeconds) / steps:F0} CPU-ms per step):"), modules, moduleTotal)) yield return line;
    }
}
