namespace DataFlow.Trainer.Ppo;

/// <summary>
/// Two policies scored on the same prompts, compared prompt by prompt: the mean of the per-prompt differences
/// (candidate - baseline), its standard error, a paired-bootstrap percentile confidence interval (prompts resampled
/// with replacement, the pairing kept), and an exact two-sided sign test on the prompts where the two differ
/// (for 0/1 scores, such as one greedy answer per prompt, this is McNemar's exact test). Pairing removes the
/// prompt-to-prompt variance that makes two independent accuracies look noisier than their difference is.
/// </summary>
public sealed record PairedComparison(
    int Count, double BaselineMean, double CandidateMean, double MeanDifference, double StandardError,
    double Confidence, double CiLow, double CiHigh, int Improved, int Worsened, double SignTestP)
{
    public const int DefaultResamples = 10_000;

    /// <summary>True when the whole confidence interval lies above zero.</summary>
    public bool CandidateBetter => CiLow > 0;

    public static PairedComparison Of(IReadOnlyList<double> baseline, IReadOnlyList<double> candidate,
        int resamples = DefaultResamples, int seed = 1, double confidence = 0.95)
    {
        if (baseline.Count != candidate.Count) throw new ArgumentException($"paired scores need equal counts ({baseline.Count} vs {candidate.Count})");
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), "confidence must be in (0, 1)");
        var n = baseline.Count;
        if (n == 0) return new PairedComparison(0, 0, 0, 0, 0, confidence, 0, 0, 0, 0, 1);
        var differences = new double[n];
        for (var i = 0; i < n; i++) differences[i] = candidate[i] - baseline[i];
        var mean = differences.Average();
        var variance = n > 1 ? differences.Sum(d => (d - mean) * (d - mean)) / (n - 1) : 0;
        var (low, high) = BootstrapInterval(differences, resamples, seed, confidence);
        var improved = differences.Count(d => d > 0);
        var worsened = differences.Count(d => d < 0);
        return new PairedComparison(n, baseline.Average(), candidate.Average(), mean, Math.Sqrt(variance / n), confidence,
            low, high, improved, worsened, SignTest(improved, worsened));
    }

    /// <summary>Percentile interval of the mean difference over <paramref name="resamples"/> paired resamples (seeded, so reruns agree).</summary>
    public static (double Low, double High) BootstrapInterval(IReadOnlyList<double> differences, int resamples, int seed, double confidence)
    {
        var n = differences.Count;
        var random = new Random(seed);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++) sum += differences[random.Next(n)];
            means[r] = sum / n;
        }
        Array.Sort(means);
        var alpha = (1 - confidence) / 2;
        return (Quantile(means, alpha), Quantile(means, 1 - alpha));
    }

    /// <summary>Exact two-sided binomial test of <paramref name="improved"/> vs <paramref name="worsened"/> under p = 1/2: 2 P(X &lt;= min), capped at 1.</summary>
    public static double SignTest(int improved, int worsened)
    {
        var n = improved + worsened;
        if (n == 0) return 1;
        var k = Math.Min(improved, worsened);
        // Sum C(n, i) / 2^n for i <= k in log space (n can be thousands).
        double logTerm = -n * Math.Log(2), tail = 0;
        for (var i = 0; i <= k; i++)
        {
            if (i > 0) logTerm += Math.Log(n - i + 1) - Math.Log(i);
            tail += Math.Exp(logTerm);
        }
        return Math.Min(1, 2 * tail);
    }

    /// <summary>Linear-interpolated quantile of sorted values (the "type 7" rule of R and NumPy).</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>"+1.20 points [95 % CI +0.40, +2.00], 31 better / 19 worse of 500, sign test p = 0.012": scores in [0, 1] as points (scale 100), raw ones with scale 1.</summary>
    public string Describe(double scale = 100, string unit = " points", int decimals = 2)
    {
        var number = "+0." + new string('0', decimals) + ";-0." + new string('0', decimals) + ";0." + new string('0', decimals);
        var p = SignTestP < 1e-4 ? SignTestP.ToString("0.0E+0") : SignTestP.ToString("0.####");
        return $"{(scale * MeanDifference).ToString(number)}{unit} [{Confidence:P0} CI {(scale * CiLow).ToString(number)}, {(scale * CiHigh).ToString(number)}], " +
            $"{Improved} better / {Worsened} worse of {Count}, sign test p = {p}";
    }
}
