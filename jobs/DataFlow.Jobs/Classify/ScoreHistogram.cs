using System.Globalization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Score distributions as stage counters, 20 bins of 0.05 named by their lower bound in percent:
/// <c>class_score.LABEL.95</c> counts documents whose top label is LABEL with probability in [0.95, 1];
/// <c>keep_score.LABEL.95</c> counts all documents by the kept label's probability. The run report draws one chart each.
/// </summary>
public sealed class ScoreHistogram
{
    public const int Bins = 20;
    private readonly Dictionary<string, long[]> _byLabel = new(StringComparer.Ordinal);
    private readonly long[] _keep = new long[Bins];

    /// <summary>The bin of a probability (fastText reports up to 1 + 1e-5; that is the last bin).</summary>
    public static int Bin(double probability) => Math.Clamp((int)(probability * Bins), 0, Bins - 1);

    public void AddTop(string label, double probability)
    {
        if (!_byLabel.TryGetValue(label, out var bins)) _byLabel[label] = bins = new long[Bins];
        bins[Bin(probability)]++;
    }

    public void AddKept(double probability) => _keep[Bin(probability)]++;

    /// <summary>Writes the counters; every bin of a seen label is written (zeros too), so charts show the whole range.</summary>
    /// <param name="keepLabel">The kept label, or null when the stage does not filter.</param>
    public void WriteTo(TaskStats stats, string? keepLabel)
    {
        foreach (var (label, bins) in _byLabel)
            for (var b = 0; b < Bins; b++) stats.Add($"class_score.{label}.{Percent(b)}", bins[b]);
        if (keepLabel is null) return;
        for (var b = 0; b < Bins; b++) stats.Add($"keep_score.{keepLabel}.{Percent(b)}", _keep[b]);
    }

    private static string Percent(int bin) => (bin * 100 / Bins).ToString("D2", CultureInfo.InvariantCulture);
}
