namespace DataFlow.Engine.Jobs;

/// <summary>
/// Live progress of a running task, read by the executor's display from another thread: documents and bytes for a
/// data stage; optimizer steps (of <see cref="TotalSteps"/>), tokens and the last loss for a training stage, whose
/// trainer calls <see cref="StartSteps"/> once and <see cref="CompleteStep"/> after every step (a few interlocked
/// writes, nothing more).
/// </summary>
/// <param name="clock">Where elapsed time comes from (the system clock; tests pass their own).</param>
public sealed class TaskProgress(TimeProvider clock)
{
    private long _docs;
    private long _bytes;
    private long _fractionPermille;
    private long _firstStep;
    private long _step;
    private long _totalSteps;
    private long _tokens;
    private long _startTimestamp;
    private long _lossBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private long _rewardBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private long _klBits = BitConverter.DoubleToInt64Bits(double.NaN);

    public TaskProgress() : this(TimeProvider.System) { }

    public long Docs => Interlocked.Read(ref _docs);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>How far through its inputs the task is, 0..1 (jobs that cannot tell leave it at 0).</summary>
    public double Fraction => Interlocked.Read(ref _fractionPermille) / 1_000_000.0;

    /// <summary>Whether a trainer has started its steps (<see cref="StartSteps"/>).</summary>
    public bool IsTraining => TotalSteps > 0;

    /// <summary>The step this invocation started from (0, or the step of the checkpoint it resumed).</summary>
    public long FirstStep => Interlocked.Read(ref _firstStep);

    /// <summary>Steps done, counted from the start of training (a resumed run starts at <see cref="FirstStep"/>).</summary>
    public long Step => Interlocked.Read(ref _step);

    /// <summary>The step this invocation stops at (0: not training).</summary>
    public long TotalSteps => Interlocked.Read(ref _totalSteps);

    /// <summary>Tokens trained on by this invocation.</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>The training loss of the last step (null before the first).</summary>
    public double? LastLoss => Read(ref _lossBits);

    /// <summary>PPO: the mean learned reward of the last iteration's rollouts (null for other trainers).</summary>
    public double? LastReward => Read(ref _rewardBits);

    /// <summary>PPO: the KL to the reference policy of the last iteration (null for other trainers).</summary>
    public double? LastKl => Read(ref _klBits);

    /// <summary>Time since <see cref="StartSteps"/> (zero before it).</summary>
    public TimeSpan TrainingElapsed => Interlocked.Read(ref _startTimestamp) is var start and > 0 ? clock.GetElapsedTime(start) : TimeSpan.Zero;

    /// <summary>
    /// The time left at the pace of the steps this invocation has run (null before its first step): steps that
    /// include an evaluation or a checkpoint count, so the estimate includes them at the rate they occur.
    /// </summary>
    public TimeSpan? Eta
    {
        get
        {
            var run = Step - FirstStep;
            if (!IsTraining || run <= 0) return null;
            return TimeSpan.FromSeconds(TrainingElapsed.TotalSeconds / run * Math.Max(0, TotalSteps - Step));
        }
    }

    public void Advance(long docs, long bytes)
    {
        Interlocked.Add(ref _docs, docs);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void SetFraction(double fraction) =>
        Interlocked.Exchange(ref _fractionPermille, (long)(Math.Clamp(fraction, 0, 1) * 1_000_000));

    /// <summary>A trainer is about to run steps <paramref name="firstStep"/> + 1 .. <paramref name="totalSteps"/>.</summary>
    public void StartSteps(long firstStep, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstStep);
        Interlocked.Exchange(ref _firstStep, firstStep);
        Interlocked.Exchange(ref _step, firstStep);
        Interlocked.Exchange(ref _tokens, 0);
        Interlocked.Exchange(ref _startTimestamp, Math.Max(1, clock.GetTimestamp()));
        Interlocked.Exchange(ref _totalSteps, Math.Max(1, totalSteps));
        SetFraction(firstStep / (double)Math.Max(1, totalSteps));
    }

    /// <summary>
    /// Step <paramref name="step"/> is done with training loss <paramref name="loss"/>; this invocation has trained on
    /// <paramref name="tokens"/> tokens so far (PPO also passes the iteration's mean reward and KL).
    /// </summary>
    public void CompleteStep(long step, long tokens, double loss, double? reward = null, double? kl = null)
    {
        Interlocked.Exchange(ref _lossBits, BitConverter.DoubleToInt64Bits(loss));
        if (reward is { } r) Interlocked.Exchange(ref _rewardBits, BitConverter.DoubleToInt64Bits(r));
        if (kl is { } k) Interlocked.Exchange(ref _klBits, BitConverter.DoubleToInt64Bits(k));
        Interlocked.Exchange(ref _tokens, tokens);
        Interlocked.Exchange(ref _step, step);
        SetFraction(step / (double)Math.Max(1, TotalSteps));
    }

    private static double? Read(ref long bits) => BitConverter.Int64BitsToDouble(Interlocked.Read(ref bits)) is var value && double.IsNaN(value) ? null : value;
}
