using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Reward;

public class RewardModelTests
{
    [Fact]
    public void Pairwise_loss_with_and_without_margin()
    {
        Assert.Equal(-Math.Log(1 / (1 + Math.Exp(-2))), PairwiseLoss.Compute(tensor(new[] { 2f }), tensor(new[] { 0f })).item<float>(), 5);
        Assert.Equal(-Math.Log(1 / (1 + Math.Exp(-1))), PairwiseLoss.Compute(tensor(new[] { 2f }), tensor(new[] { 0f }), margin: 1).item<float>(), 5);
        Assert.Equal(Math.Log(2), PairwiseLoss.Compute(tensor(new[] { 1f, 3f }), tensor(new[] { 1f, 3f })).item<float>(), 5);
    }

    [Fact]
    public void Score_is_read_at_the_last_non_pad_token_and_ignores_padding()
    {
        torch.manual_seed(4);
        using var model = new RewardModel(RlhfFixtures.Config());
        model.eval();
        using var noGrad = no_grad();
        var (tokens, lengths) = RewardTrainer.RightPad([[10, 11, 12, 13], [20, 21]], padId: 1);
        var scores = model.Score(tokens, lengths);
        var alone = model.Score(tensor(new long[] { 20, 21 }).view(1, 2), tensor(new long[] { 2 }));
        Assert.Equal(alone.item<float>(), scores[1].item<float>(), 5);
        var values = model.forward(tokens);
        Assert.Equal(values[0, 3].item<float>(), scores[0].item<float>());
        Assert.NotEqual(values[1, 3].item<float>(), scores[1].item<float>()); // the pad position is not the score
    }
}
