using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Training;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter), written out so its whole state is a name -> tensor
/// map that checkpoints store bit-exactly next to the weights. Decay applies to matrices only (not norm gains),
/// as in nanoGPT. The learning rate is passed per step, so any schedule drives it. Every trainer (pretrain, sft,
/// reward, ppo) uses this one optimizer; its moments and step count are float32 whatever the compute dtype.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly (string Name, Parameter Parameter, bool Decay)[] _parameters;
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = new(StringComparer.Ordinal);

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-8, double weightDecay = 0.1)
    {
        _parameters = parameters.Where(p => p.Parameter.requires_grad).Select(p => (p.Name, p.Parameter, p.Parameter.dim() >= 2)).ToArray();
        (Beta1, Beta2, Eps, WeightDecay) = (beta1, beta2, eps, weightDecay);
        foreach (var (name, parameter, _) in _parameters)
            _moments[name] = (zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope());
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }

    /// <summary>Updates taken so far (drives bias correction; part of the saved state).</summary>
    public long StepCount { get; private set; }

    public IEnumerable<Parameter> Parameters => _parameters.Select(p => p.Parameter);

    /// <summary>One update from each parameter's .grad, or from <paramref name="gradients"/> (same order as <see cref="Parameters"/>) when given.</summary>
    public void Step(double learningRate, IReadOnlyList<Tensor>? gradients = null)
    {
        if (gradients is not null && gradients.Count != _parameters.Length)
            throw new ArgumentException($"{gradients.Count} gradients for {_parameters.Length} parameters");
        StepCount++;
        var correction1 = 1 - Math.Pow(Beta1, StepCount);
        var correction2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var (name, parameter, decay) = _parameters[i];
            if ((gradients?[i] ?? parameter.grad) is not { } grad) continue;
            var (m, v) = _moments[name];
            if (decay && WeightDecay > 0) parameter.mul_(1 - learningRate * WeightDecay);
            m.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
            var denominator = v.sqrt().div_(correction2Sqrt).add_(Eps);
            parameter.addcdiv_(m, denominator, value: -learningRate / correction1);
        }
    }

    public void ZeroGrad()
    {
        foreach (var (_, parameter, _) in _parameters) parameter.grad?.zero_();
    }

    /// <summary>Moments as "m.NAME" / "v.NAME" tensors (views of the live state: save them, do not dispose them).</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, (m, v)) in _moments)
        {
            state["m." + name] = m;
            state["v." + name] = v;
        }
        return state;
    }

    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount)
    {
        using var noGrad = no_grad();
        foreach (var (name, (m, v)) in _moments)
        {
            foreach (var (prefix, target) in new[] { ("m.", m), ("v.", v) })
            {
                if (!state.TryGetValue(prefix + name, out var saved))
                    throw new InvalidDataException($"optimizer state has no '{prefix}{name}'");
                if (!saved.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException($"optimizer state '{prefix}{name}' has shape [{string.Join(",", saved.shape)}], the model needs [{string.Join(",", target.shape)}]");
                target.copy_(saved);
            }
        }
        StepCount = stepCount;
    }

    /// <summary>Writes the moments and the step count to one safetensors file (sft, reward and ppo checkpoints).</summary>
    public void Save(string path)
    {
        using var step = tensor(new[] { StepCount });
        var state = StateTensors();
        state[StepKey] = step;
        using var stream = File.Create(path);
        Safetensors.SaveStateDict(stream, state, leaveOpen: true);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads what <see cref="Save"/> wrote; throws naming the file when it is missing or does not fit the parameters.</summary>
    public void Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: no optimizer state to resume from" +
                (File.Exists(Path.ChangeExtension(path, ".pt")) ? $" ({Path.GetFileName(Path.ChangeExtension(path, ".pt"))} is torch AdamW state from an older build; start the run afresh)" : ""));
        var state = Safetensors.LoadStateDict(path);
        try
        {
            if (!state.TryGetValue(StepKey, out var step) || step.numel() != 1)
                throw new InvalidDataException($"{path}: optimizer state has no '{StepKey}'");
            LoadState(state, step.to(ScalarType.Int64).item<long>());
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private const string StepKey = "step";

    public void Dispose()
    {
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
    }
}
