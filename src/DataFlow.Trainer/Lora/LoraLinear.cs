using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Lora;

/// <summary>
/// The adapter of one frozen linear layer: a forward hook adds (alpha / rank) * B(A(dropout(x))) to the layer's output,
/// so the model's code is unchanged and the adapter can be detached or folded into the weight.
/// </summary>
public sealed class LoraLinear : nn.Module
{
    public readonly Parameter lora_A, lora_B;
    private readonly double _dropout;
    private readonly double _scale;
    private readonly Linear _target;
    private nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover? _hook;

    public LoraLinear(Linear target, LoraConfig config) : base(nameof(LoraLinear))
    {
        _target = target;
        _scale = config.Scale;
        var (outFeatures, inFeatures) = (target.weight!.shape[0], target.weight.shape[1]);
        lora_A = new Parameter(empty(config.Rank, inFeatures));
        lora_B = new Parameter(zeros(outFeatures, config.Rank));
        using (no_grad()) nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        _dropout = config.Dropout;
        RegisterComponents();
        _hook = target.register_forward_hook((_, input, output) => output + Delta(input));
    }

    /// <summary>The adapter's contribution for input x [..., in].</summary>
    public Tensor Delta(Tensor x)
    {
        using var scope = NewDisposeScope();
        var low = nn.functional.linear(Dropout(x), lora_A);
        return nn.functional.linear(low, lora_B).mul_(_scale).MoveToOuterDisposeScope();
    }

    /// <summary>Draws dropout masks; the trainer reseeds it every step so a resumed run draws the same masks.</summary>
    public Generator? DropoutGenerator { get; set; }

    private Tensor Dropout(Tensor x)
    {
        if (!training || _dropout == 0) return x;
        var keep = rand(x.shape, generator: DropoutGenerator).ge_(_dropout);
        return x * keep / (1 - _dropout);
    }

    /// <summary>Folds scale * B A into the target's weight and removes the hook: the layer alone now computes base + adapter.</summary>
    public void MergeIntoTarget()
    {
        using (no_grad()) _target.weight!.add_(matmul(lora_B, lora_A).mul_(_scale));
        Detach();
    }

    /// <summary>Removes the hook: the target computes the base weight only.</summary>
    public void Detach()
    {
        _hook?.remove();
        _hook = null;
    }
}
