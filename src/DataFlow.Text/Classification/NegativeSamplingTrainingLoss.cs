namespace DataFlow.Text.Classification;

/// <summary>
/// Negative sampling: the target label is a positive and <c>neg</c> other labels, drawn with probability proportional
/// to the square root of their counts (fastText's table of 10M entries), are negatives.
/// </summary>
internal sealed class NegativeSamplingTrainingLoss : FastTextTrainingLoss
{
    private const int TableSize = 10_000_000;
    private readonly int[] _table;
    private readonly int _negatives, _labels;

    public NegativeSamplingTrainingLoss(float[] output, int dim, IReadOnlyList<long> labelCounts, int negatives) : base(output, dim)
    {
        _negatives = negatives;
        _labels = labelCounts.Count;
        double z = labelCounts.Sum(c => Math.Sqrt(c));
        var table = new List<int>(TableSize + labelCounts.Count);
        for (int i = 0; i < labelCounts.Count; i++)
        {
            double share = Math.Sqrt(labelCounts[i]) * TableSize / z;
            for (int j = 0; j < share; j++) table.Add(i);
        }
        _table = [.. table];
    }

    public override float Forward(ReadOnlySpan<int> targets, int targetIndex, FastTextTrainingState state, float lr)
    {
        int target = targets[targetIndex];
        float loss = BinaryLogistic(target, state, true, lr);
        for (int n = 0; n < _negatives; n++)
        {
            // fastText redraws until it finds another label; with a single label there is none to find.
            if (_labels < 2) break;
            int negative;
            do negative = _table[state.Random.NextBelow(_table.Length)]; while (negative == target);
            loss += BinaryLogistic(negative, state, false, lr);
        }
        return loss;
    }
}
