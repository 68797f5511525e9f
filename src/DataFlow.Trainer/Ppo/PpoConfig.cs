namespace DataFlow.Trainer.Ppo;

/// <summary>
/// PPO settings. Defaults follow the published recipes where they fit a tiny model: clip 0.2 and value clip 0.2,
/// gamma 1 and lambda 0.95, KL coefficient 0.05 (InstructGPT 0.02, DeepSpeed-Chat 0.1), reward normalization and
/// clipping at 5 and advantage whitening (MOSS PPO-max), several PPO epochs per batch (DeepSpeed-Chat 1, TRL 4).
/// </summary>
public sealed record PpoConfig
{
    /// <summary>Prompt sources (any SFT format: the last assistant turn is dropped); train and held-out eval.</summary>
    public required IReadOnlyList<string> Prompts { get; init; }
    public IReadOnlyList<string> EvalPrompts { get; init; } = [];

    /// <summary>Prompts scored once, by the final policy against the SFT policy (paired), kept apart from the eval prompts that settings are chosen on.</summary>
    public IReadOnlyList<string> TestPrompts { get; init; } = [];

    /// <summary>SFT model folder: the actor starts here and a frozen copy is the reference.</summary>
    public required string Actor { get; init; }

    /// <summary>Reward model folder: frozen scorer, and the critic starts from it.</summary>
    public required string Reward { get; init; }
    /// <summary>Rollout-and-update rounds: PPO's counterpart of the other stages' <c>max_steps</c>.</summary>
    public int Iterations { get; init; } = 40;
    public int RolloutBatch { get; init; } = 64;

    /// <summary>
    /// Answers sampled per prompt in a rollout batch (rollout_batch / group_size distinct prompts); above 1 each score
    /// is taken relative to the other answers to its prompt (leave-one-out baseline, RLOO) before normalization.
    /// </summary>
    public int GroupSize { get; init; } = 1;
    public int PpoEpochs { get; init; } = 2;

    /// <summary>Iterations at the start that train only the critic (its head starts as a reward model, not a value function).</summary>
    public int CriticWarmup { get; init; }
    public int MiniBatch { get; init; } = 32;
    public double ActorLearningRate { get; init; } = 2e-5;
    public double CriticLearningRate { get; init; } = 1e-4;
    public double KlCoef { get; init; } = 0.05;

    /// <summary>Target KL per sequence for the adaptive controller; null keeps the coefficient fixed.</summary>
    public double? KlTarget { get; init; }
    public double KlHorizon { get; init; } = 10_000;
    public double Gamma { get; init; } = 1.0;
    public double Lambda { get; init; } = 0.95;
    public double ClipRange { get; init; } = 0.2;
    public double ValueClipRange { get; init; } = 0.2;
    public bool NormalizeRewards { get; init; } = true;
    public double RewardClip { get; init; } = 5.0;
    public bool WhitenAdvantages { get; init; } = true;
    public double GradClip { get; init; } = 1.0;
    public double Temperature { get; init; } = 1.0;
    public int MaxNewTokens { get; init; } = 12;

    /// <summary>Weight of the SFT (pretraining-mix, InstructGPT "PPO-ptx") loss on <see cref="PtxData"/>; 0 disables it.</summary>
    public double PtxCoef { get; init; }
    public IReadOnlyList<string> PtxData { get; init; } = [];

    /// <summary>Longest <see cref="PtxData"/> example in tokens (longer ones are rejected like SFT's <c>max_tokens</c>).</summary>
    public int PtxMaxTokens { get; init; } = 128;
    public int EvalEvery { get; init; } = 10;

    /// <summary>Sampled answers per held-out prompt at each evaluation (beside the greedy one), at <see cref="EvalTemperature"/>.</summary>
    public int EvalSamples { get; init; } = 4;
    public double EvalTemperature { get; init; } = 1.0;
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>Checkpoints kept in OUTPUT/checkpoints (the newest; older ones are deleted once a newer one is in place).</summary>
    public int KeepLast { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; }
    public int StopAfter { get; init; }
    public required string Output { get; init; }

    public PpoConfig Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"ppo config: {problem}"); }
        Check(Prompts.Count > 0, "prompts lists no files");
        Check(Iterations > 0 && RolloutBatch > 0 && PpoEpochs > 0 && MiniBatch > 0, "iterations, rollout_batch, ppo_epochs and mini_batch must be positive");
        Check(RolloutBatch % MiniBatch == 0, "rollout_batch must be a multiple of mini_batch");
        Check(GroupSize >= 1 && RolloutBatch % GroupSize == 0, "group_size must be >= 1 and divide rollout_batch");
        Check(ClipRange > 0 && ValueClipRange > 0, "clip ranges must be positive");
        Check(Gamma is > 0 and <= 1 && Lambda is >= 0 and <= 1, "gamma in (0, 1], lambda in [0, 1]");
        Check(KlTarget is null or > 0, "kl_target must be positive");
        Check(PtxCoef == 0 || PtxData.Count > 0, "ptx_coef needs ptx_data");
        Check(PtxMaxTokens > 0, "ptx_max_tokens must be positive");
        Check(EvalEvery > 0 && CheckpointEvery > 0, "eval_every and checkpoint_every must be positive");
        Check(EvalSamples >= 0 && EvalTemperature > 0, "eval_samples must be >= 0 and eval_temperature positive");
        return this;
    }
}
