namespace DataFlow.Text.Classification;

/// <summary>One independent logistic regression per label (fastText's <c>ova</c>): all the example's labels are positives.</summary>
internal sealed class OneVsAllTrainingLoss(float[] output, int dim, int labels) : FastTextTrainingLoss(output, dim)
{
    public override bool TrainsAllLabels => true;

    public override float Forward(ReadOnlySpan<int> targets, int targetIndex, FastTextTrainingState state, float lr)
    {
        float loss = 0;
        for (int i = 0; i < labels; i++) loss += BinaryLogistic(i, state, targets.Contains(i), lr);
        return loss;
    }
}
