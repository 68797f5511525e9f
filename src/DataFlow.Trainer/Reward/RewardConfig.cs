using DataFlow.Engine.Documents;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Reward;

/// <summary>Settings of a reward-model run; immutable and validated before the first step.</summary>
public sealed record RewardConfig
{
    /// <summary>Preference JSONL (prompt/chosen/rejected or HH chosen/rejected; .gz allowed).</summary>
    public required IReadOnlyList<string> Train { get; init; }
    public IReadOnlyList<string> Eval { get; init; } = [];
    public double EvalFraction { get; init; } = 0.05;

    /// <summary>Policy (SFT) model folder the transformer starts from (InstructGPT initializes the RM from SFT); null trains <see cref="Model"/> from scratch.</summary>
    public string? Init { get; init; }
    public ModelConfig? Model { get; init; }

    /// <summary>Tokenizer of a fresh model (a known name or a tokenizer JSON file); a model from <see cref="Init"/> brings its own.</summary>
    public string Tokenizer { get; init; } = "bytes";
    public int MaxTokens { get; init; } = 64;

    /// <summary>Over-long pairs: <c>none</c> rejects them, <c>left</c> keeps the last <see cref="MaxTokens"/> tokens of each side.</summary>
    public PreferenceTruncation Truncate { get; init; } = PreferenceTruncation.None;
    public OnError OnError { get; init; } = OnError.Skip;
    public int MaxSteps { get; init; } = 300;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 5e-4;
    public double MinLrRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; }
    public double GradClip { get; init; } = 1.0;

    /// <summary>Required gap r_chosen - r_rejected inside the log-sigmoid; 0 is the plain Bradley-Terry loss.</summary>
    public double Margin { get; init; }

    /// <summary><c>value_head</c> (default) or <c>mean_log_prob</c> (SimPO-style implicit reward from the LM head).</summary>
    public RewardScore Score { get; init; } = RewardScore.ValueHead;

    /// <summary>Multiplies the score (SimPO's beta; 2 there); 1 leaves the value head as it was.</summary>
    public double ScoreScale { get; init; } = 1.0;
    /// <summary>Steps between lines of metrics.jsonl and the console.</summary>
    public int LogEvery { get; init; } = 10;
    public int EvalEvery { get; init; } = 100;
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Checkpoints kept in OUTPUT/checkpoints (the newest; older ones are deleted once a newer one is in place).</summary>
    public int KeepLast { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; }
    public int StopAfter { get; init; }
    public required string Output { get; init; }

    public RewardConfig Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"reward config: {problem}"); }
        Check(Train.Count > 0, "train lists no files");
        Check(KeepLast >= 1, "keep_last must be at least 1");
        Check(Init is not null ^ Model is not null, "set either init (an SFT model folder) or model (sizes for a fresh transformer)");
        Check(Model is null || Model.ContextLength >= MaxTokens, "model.context_length must cover max_tokens");
        Check(MaxSteps > 0 && BatchSize > 0 && LearningRate > 0 && LogEvery > 0 && EvalEvery > 0 && CheckpointEvery > 0,
            "max_steps, batch_size, learning_rate, log_every, eval_every and checkpoint_every must be positive");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio must be in [0, 1]");
        Check(EvalFraction is >= 0 and < 1, "eval_fraction must be in [0, 1)");
        Check(Margin >= 0, "margin must be >= 0");
        Check(ScoreScale > 0, "score_scale must be positive");
        return this;
    }
}
