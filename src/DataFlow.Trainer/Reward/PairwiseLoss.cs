using static TorchSharp.torch;

namespace DataFlow.Trainer.Reward;

/// <summary>Bradley-Terry loss for preference pairs: -log sigmoid(r_chosen - r_rejected - margin) (margin as in LLaMA 2).</summary>
public static class PairwiseLoss
{
    public static Tensor Compute(Tensor chosen, Tensor rejected, double margin = 0) =>
        -nn.functional.logsigmoid(chosen - rejected - margin).mean();
}
