using DataFlow.Text.Chat;
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

    /// <summary>The scoring rule (<see cref="RewardHead"/>); the value head unless set.</summary>
    public RewardHead Head { get; set; } = RewardHead.Value;

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
        if (Head.Score == RewardScore.MeanLogProb) return (Head.Scale * MeanResponseLogProb(tokens)).MoveToOuterDisposeScope();
        return (Head.Scale * forward(tokens).gather(1, (lengths - 1).view(-1, 1)).squeeze(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Mean log-probability of each row's response tokens (after the last assistant marker + newline, through the last end token).</summary>
    public Tensor MeanResponseLogProb(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var width = tokens.shape[1];
        var positions = arange(width, dtype: int64).unsqueeze(0);
        var assistant = (positions * tokens.eq(Head.AssistantId)).amax([1L], keepdim: true);
        var end = (positions * tokens.eq(Head.EndId)).amax([1L], keepdim: true);
        var mask = positions.ge(assistant + 2).logical_and(positions.le(end)).narrow(1, 1, width - 1).to(float32);
        var logProbs = nn.functional.log_softmax(transformer.forward(tokens).narrow(1, 0, width - 1).to(float32), -1)
            .gather(2, tokens.narrow(1, 1, width - 1).unsqueeze(-1)).squeeze(-1);
        return ((logProbs * mask).sum(1) / mask.sum(1).clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>Weights, model config and scoring rule in one folder.</summary>
    public void Save(string directory, ChatTokenizer? tokenizer)
    {
        ModelWeights.Save(this, Config, directory, tokenizer);
        Head.Save(directory);
    }

    /// <summary>A reward model whose transformer starts from a policy (SFT) folder; the head starts fresh.</summary>
    public static RewardModel FromPolicy(string policyDirectory)
    {
        var model = new RewardModel(ModelWeights.LoadConfig(policyDirectory));
        ModelWeights.LoadInto(model.transformer, Path.Combine(policyDirectory, ModelWeights.WeightsFile));
        return model;
    }

    /// <summary>A reward model with a freshly initialized transformer of the given sizes (no SFT model to start from).</summary>
    public static RewardModel Fresh(ModelConfig config) => new(config.Validate());

    /// <summary>A reward model saved with <see cref="ModelWeights.Save"/>.</summary>
    public static RewardModel Load(string directory)
    {
        var model = new RewardModel(ModelWeights.LoadConfig(directory)) { Head = RewardHead.Load(directory) };
        ModelWeights.LoadInto(model, Path.Combine(directory, ModelWeights.WeightsFile));
        return model;
    }
}
