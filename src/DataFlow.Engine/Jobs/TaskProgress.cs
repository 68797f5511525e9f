namespace DataFlow.Engine.Jobs;

/// <summary>Live progress of a running task, read by the executor's display from another thread.</summary>
public sealed class TaskProgress
{
    private long _docs;
    private long _bytes;
    private long _fractionPermille;

    public long Docs => Interlocked.Read(ref _docs);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>How far through its inputs the task is, 0..1 (jobs that cannot tell leave it at 0).</summary>
    public double Fraction => Interlocked.Read(ref _fractionPermille) / 1_000_000.0;

    public void Advance(long docs, long bytes)
    {
        Interlocked.Add(ref _docs, docs);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void SetFraction(double fraction) =>
        Interlocked.Exchange(ref _fractionPermille, (long)(Math.Clamp(fraction, 0, 1) * 1_000_000));
}
