using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Training;

/// <summary>
/// What one invocation of a trainer (pretrain, SFT, reward, PPO) did, returned by every trainer's <c>Run</c>:
/// the optimizer steps it ran (from <see cref="FirstStep"/>; PPO counts iterations), the tokens it trained on (every
/// row of every batch, padding included, over all ranks), its wall time, the loss of each step and the held-out
/// metrics of its last evaluation. Stage jobs report it to the run's stats, <c>dataflow status</c> and the report.
/// </summary>
public sealed record TrainingSummary
{
    /// <summary>Which trainer ran (pretrain, sft, reward, ppo).</summary>
    public required string Kind { get; init; }

    /// <summary>The step this invocation started from (0, or the step of the checkpoint it resumed).</summary>
    public required long FirstStep { get; init; }

    /// <summary>Steps run by this invocation.</summary>
    public required long Steps { get; init; }

    /// <summary>Tokens trained on by this invocation.</summary>
    public required long Tokens { get; init; }

    /// <summary>Wall time of the training loop.</summary>
    public required double Seconds { get; init; }

    /// <summary>The (rank-averaged) training loss of each step run, in order.</summary>
    public IReadOnlyList<double> Losses { get; init; } = [];

    /// <summary>The last evaluation's metrics (val_loss, eval_loss, eval_accuracy, reward, ...); empty when none ran.</summary>
    public IReadOnlyDictionary<string, double> FinalEval { get; init; } = new Dictionary<string, double>();

    /// <summary>The checkpoint the run ended on (null: none written).</summary>
    public string? LastCheckpoint { get; init; }

    /// <summary>Bad records skipped while loading the training data (on_error: skip); set by the job that owns the reject log.</summary>
    public long Rejected { get; init; }

    /// <summary>
    /// Model FLOPs utilization of the whole loop: <see cref="ModelConfig.TrainingFlopsPerToken"/> x tokens/s over the matmul
    /// peak (<see cref="PeakFlops"/> per process, times the ranks), as a fraction (0.5 = 50 %); null where not measured
    /// (trainers other than pretrain, ranks other than 0).
    /// </summary>
    public double? Mfu { get; init; }

    /// <summary>The per-process matmul peak in FLOP/s that <see cref="Mfu"/> is against (measured at start or configured).</summary>
    public double? PeakFlops { get; init; }

    public long LastStep => FirstStep + Steps;
    public double? LastLoss => Losses.Count > 0 ? Losses[^1] : null;
    public double TokensPerSecond => Tokens / Math.Max(1e-9, Seconds);
    public double? FinalValLoss => FinalEval.TryGetValue("val_loss", out var v) ? v : FinalEval.TryGetValue("eval_loss", out var e) ? e : null;
}
