using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Training;

/// <summary>
/// A rough upper estimate of training memory (float32 weights, gradients and AdamW moments, plus the activations
/// autograd keeps for one micro-batch), checked before the first step so an oversized config fails with the
/// numbers instead of being killed by the kernel halfway through.
/// </summary>
public static class MemoryBudget
{
    public static long EstimateBytes(ModelConfig model, int batchSize, int seqLen)
    {
        long bt = (long)batchSize * seqLen;
        var state = 16L * model.ParameterCount; // weights + grads + m + v
        // Per layer: inputs of both norms, q/k/v/rotated q/k, attention output, SwiGLU's three hidden tensors.
        var perLayer = bt * (12L * model.Dim + 4L * model.Hidden) + (long)batchSize * model.Heads * seqLen * seqLen;
        var logits = 3L * bt * model.VocabSize; // logits, log-softmax and their gradient
        return state + 4L * (model.Layers * perLayer + logits);
    }

    /// <summary>Throws when the estimate exceeds 90% of the memory this process may use.</summary>
    public static void Check(ModelConfig model, int batchSize, int seqLen, long? availableBytes = null)
    {
        var available = availableBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var needed = EstimateBytes(model, batchSize, seqLen);
        if (needed > available * 0.9)
            throw new InsufficientMemoryException(
                $"training needs about {Gib(needed)} GiB ({Gib(16L * model.ParameterCount)} GiB for {model.ParameterCount:N0} parameters with gradients and AdamW state, " +
                $"the rest activations for a micro-batch of {batchSize} x {seqLen} tokens), but only {Gib(available)} GiB is available; " +
                "lower batch_size (raising grad_accum_steps keeps the tokens per step), seq_len or the model size");
    }

    private static string Gib(long bytes) => (bytes / (double)(1L << 30)).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
}
