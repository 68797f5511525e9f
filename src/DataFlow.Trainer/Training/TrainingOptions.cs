namespace DataFlow.Trainer.Training;

/// <summary>Hyperparameters and cadence of a training run (the YAML <c>training:</c> section). Defaults are nanoGPT's Shakespeare-char recipe.</summary>
public sealed record TrainingOptions
{
    public int MaxSteps { get; init; } = 2000;
    /// <summary>Micro-batches whose gradients are summed before one optimizer step.</summary>
    public int GradAccumSteps { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Floor of the cosine as a fraction of <see cref="LearningRate"/> (the schedule ends at LearningRate * MinLrRatio).</summary>
    public double MinLrRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 100;
    /// <summary>Step where the cosine reaches the floor (<see cref="MinLrRatio"/> of the peak); 0 means <see cref="MaxSteps"/>.</summary>
    public int DecaySteps { get; init; }
    public double WeightDecay { get; init; } = 0.1;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    public double Eps { get; init; } = 1e-8;
    /// <summary>Global gradient-norm clip; 0 disables.</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Forward and backward in bfloat16 on a copy of the weights; float32 master weights, gradients and AdamW state.</summary>
    public bool Bf16 { get; init; }
    public int EvalEvery { get; init; } = 250;
    public int EvalBatches { get; init; } = 20;
    public int CheckpointEvery { get; init; } = 500;
    public int KeepLast { get; init; } = 3;
    public int LogEvery { get; init; } = 10;
    public long Seed { get; init; } = 1337;
    /// <summary>libtorch intra-op threads; 0 means every core the process may use.</summary>
    public int Threads { get; init; }
    /// <summary>
    /// Matmul peak of one process in GFLOP/s that MFU is reported against; 0 means measure it at start
    /// (<see cref="MatmulPeak.ForTraining"/>, a fraction of a second at the model's shapes, in the compute dtype).
    /// </summary>
    public double PeakGflops { get; init; }

    public WarmupCosineSchedule Schedule => new(LearningRate, LearningRate * MinLrRatio, WarmupSteps, DecaySteps > 0 ? DecaySteps : MaxSteps);

    public TrainingOptions Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"training options: {problem}"); }
        Check(MaxSteps > 0, "max_steps must be positive");
        Check(GradAccumSteps > 0, "grad_accum_steps must be positive");
        Check(LearningRate > 0, "learning_rate must be positive");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio must be in [0, 1]");
        Check(WarmupSteps >= 0, "warmup_steps must be >= 0");
        Check(PeakGflops >= 0 && double.IsFinite(PeakGflops), "peak_gflops must be >= 0 (0 = measure at start)");
        Check(EvalEvery > 0 && CheckpointEvery > 0 && LogEvery > 0 && KeepLast > 0, "eval_every, checkpoint_every, log_every and keep_last must be positive");
        return this;
    }
}
