using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Reward;

/// <summary>
/// The policy architecture with a scalar head on the final hidden state. <see cref="forward"/> gives a value per
/// position (PPO's critic uses all of them); a sequence's reward is the value at its last non-pad token.
/// </summary>
public sealed class RewardModel : nn.Module<Tensor, Tensor>
{
    public readonly Transformer transformer;
    public readonly Linear value_head;

    public RewardModel(ModelConfig config) : base(nameof(RewardModel))
    {
        transformer = new Transformer(config);
        value_head = nn.Linear(config.Dim, 1, hasBias: true);
        using (no_grad())
        {
            value_head.weight!.normal_(0, 1.0 / Math.Sqrt(config.Dim + 1));
            value_head.bias!.zero_();
        }
        RegisterComponents();
    }

    public ModelConfig Config => transformer.Config;

    /// <summary>tokens [B, T] -> values [B, T].</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        return value_head.forward(transformer.Hidden(tokens)).squeeze(-1).MoveToOuterDisposeScope();
    }

    /// <summary>Reward of right-padded sequences: the value at index length - 1 of each row.</summary>
    public Tensor Score(Tensor tokens, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        return forward(tokens).gather(1, (lengths - 1).view(-1, 1)).squeeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>A reward model whose transformer starts from a policy (SFT) folder; the head starts fresh.</summary>
    public static RewardModel FromPolicy(string policyDirectory)
    {
        var model = new RewardModel(ModelWeights.LoadConfig(policyDirectory));
        ModelWeights.LoadInto(model.transformer, Path.Combine(policyDirectory, ModelWeights.WeightsFile));
        return model;
    }

    /// <summary>A reward model saved with <see cref="ModelWeights.Save"/>.</summary>
    public static RewardModel Load(string directory)
    {
        var model = new RewardModel(ModelWeights.LoadConfig(directory));
        ModelWeights.LoadInto(model, Path.Combine(directory, ModelWeights.WeightsFile));
        return model;
    }
}
