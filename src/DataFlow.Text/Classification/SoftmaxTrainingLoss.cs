namespace DataFlow.Text.Classification;

/// <summary>Softmax over all labels: every output row moves by lr·(1[target] − p) each example.</summary>
internal sealed class SoftmaxTrainingLoss(float[] output, int dim, int labels) : FastTextTrainingLoss(output, dim)
{
    public override float Forward(ReadOnlySpan<int> targets, int targetIndex, FastTextTrainingState state, float lr)
    {
        var scores = state.Scores.AsSpan(0, labels);
        float max = float.NegativeInfinity;
        for (int i = 0; i < labels; i++)
        {
            scores[i] = DenseMatrix.Dot(state.Hidden, Row(i));
            max = Math.Max(max, scores[i]);
        }
        float z = 0;
        for (int i = 0; i < labels; i++) z += scores[i] = MathF.Exp(scores[i] - max);
        int target = targets[targetIndex];
        for (int i = 0; i < labels; i++)
        {
            scores[i] /= z;
            float alpha = lr * ((i == target ? 1f : 0f) - scores[i]);
            var weights = Row(i);
            DenseMatrix.AddScaled(state.Gradient, weights, alpha);
            DenseMatrix.AddScaled(weights, state.Hidden, alpha);
        }
        return -Log(scores[target]);
    }
}
