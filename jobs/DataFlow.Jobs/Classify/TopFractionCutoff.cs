using System.Text.Json;
using System.Text.Json.Serialization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// The corpus-wide cutoff of <c>keep: {top_fraction: f}</c>: of N documents, K = round(f·N) (halves up) are kept,
/// those with the highest scores. <see cref="Threshold"/> is the K-th highest score; every document above it is
/// kept, and of the documents exactly at it, task i keeps the first <see cref="TiesKept"/>[i] in input order (task
/// order, then document order), so exactly K are kept however many share the cutoff score.
/// Found exactly in bounded memory from the per-task score streams, read twice: a 65,536-bin histogram of the high
/// 16 bits of each score's (order-preserving) float bits finds the bin holding the K-th score, then a histogram of
/// the low 16 bits of the scores in that bin finds the score itself.
/// </summary>
public sealed record TopFractionCutoff(string Label, double Fraction, long Documents, long Keep, float Threshold, long Above, IReadOnlyList<long> TiesKept)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <param name="tasks">Each task's scores in input order (probabilities, never negative); each is enumerated twice.</param>
    public static TopFractionCutoff Compute(string label, double fraction, IReadOnlyList<Func<IEnumerable<float>>> tasks)
    {
        if (fraction is < 0 or > 1 || double.IsNaN(fraction)) throw new ArgumentOutOfRangeException(nameof(fraction), "top_fraction must be in [0, 1]");
        var high = new long[1 << 16];
        long n = 0;
        foreach (var task in tasks)
            foreach (var score in task())
            {
                high[Bits(score) >> 16]++;
                n++;
            }
        var keep = (long)Math.Round(fraction * n, MidpointRounding.AwayFromZero);
        var ties = new long[tasks.Count];
        if (keep == 0) return new TopFractionCutoff(label, fraction, n, 0, float.PositiveInfinity, 0, ties);

        // The high bin holding the keep-th highest score, and how many scores lie in higher bins.
        long above = 0;
        var bin = high.Length - 1;
        while (above + high[bin] < keep) above += high[bin--];
        var low = new long[1 << 16];
        foreach (var task in tasks)
            foreach (var score in task())
                if (Bits(score) >> 16 == bin) low[Bits(score) & 0xFFFF]++;
        var lowBin = low.Length - 1;
        while (above + low[lowBin] < keep) above += low[lowBin--];
        var threshold = BitConverter.UInt32BitsToSingle(((uint)bin << 16) | (uint)lowBin);

        // Ties at the threshold: the first (keep - above) of them in task order, then input order.
        var quota = keep - above;
        for (var t = 0; t < tasks.Count && quota > 0; t++)
        {
            var atThreshold = tasks[t]().LongCount(s => s == threshold);
            ties[t] = Math.Min(quota, atThreshold);
            quota -= ties[t];
        }
        return new TopFractionCutoff(label, fraction, n, keep, threshold, above, ties);
    }

    /// <summary>Float bits as an unsigned integer whose order is the scores' order (scores are never negative; -0 counts as 0).</summary>
    private static uint Bits(float score)
    {
        if (float.IsNaN(score) || score < 0) throw new ArgumentOutOfRangeException(nameof(score), $"a score must be a probability, got {score}");
        return score == 0 ? 0 : BitConverter.SingleToUInt32Bits(score);
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static TopFractionCutoff Load(string path) =>
        JsonSerializer.Deserialize<TopFractionCutoff>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty cutoff file");
}
