namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// Percentiles as numpy.percentile computes them by default (linear interpolation, Hyndman and Fan's type 7): the q-th
/// percentile of n sorted values sits at rank q/100 * (n - 1), between the two values around it.
/// </summary>
public static class LinearPercentile
{
    /// <param name="sorted">Values in ascending order, at least one.</param>
    /// <param name="percent">0 to 100.</param>
    public static double Of(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values to take a percentile of", nameof(sorted));
        if (percent is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(percent), $"a percentile is 0 to 100, got {percent}");
        var rank = percent / 100 * (sorted.Count - 1);
        var below = (int)Math.Floor(rank);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }
}
