using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Training;

/// <summary>
/// Gradient accumulation for bf16 training: after each micro-batch's backward, the bfloat16 copy's gradients are added
/// into float32 sums and cleared, so the sum over grad_accum_steps micro-batches is rounded to bfloat16 never (each
/// micro-batch's gradient is rounded once, by the backward). The sums feed AdamW's float32 update.
/// </summary>
public sealed class Float32GradientSum : IDisposable
{
    private readonly Parameter[] _parameters;

    public Float32GradientSum(IEnumerable<Parameter> parameters)
    {
        _parameters = parameters.ToArray();
        Sums = _parameters.Select(p => zeros(p.shape, ScalarType.Float32, p.device).DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The float32 sums, in the order of the parameters given.</summary>
    public Tensor[] Sums { get; }

    /// <summary>Adds every parameter's .grad into its sum and zeroes the .grad for the next micro-batch.</summary>
    public void AddAndClear()
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].grad is not { } grad) continue;
            Sums[i].add_(grad);
            grad.zero_();
        }
    }

    public void Zero()
    {
        foreach (var sum in Sums) sum.zero_();
    }

    public void Dispose()
    {
        foreach (var sum in Sums) sum.Dispose();
    }
}
