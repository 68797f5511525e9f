namespace DataFlow.Text.Classification;

/// <summary>
/// The loss of supervised training and its gradient step on the output matrix (rows of <c>dim</c> floats): computes
/// the loss of one example from <see cref="FastTextTrainingState.Hidden"/>, moves the output rows it touches and adds
/// the input-side gradient to <see cref="FastTextTrainingState.Gradient"/>. Sigmoid and log come from the same
/// 512-step tables fastText's <c>loss.cc</c> uses while training.
/// </summary>
internal abstract class FastTextTrainingLoss(float[] output, int dim)
{
    private const int SigmoidTableSize = 512, MaxSigmoid = 8, LogTableSize = 512;
    private static readonly float[] SigmoidTable = Enumerable.Range(0, SigmoidTableSize + 1)
        .Select(i => (float)(1.0 / (1.0 + Math.Exp(-((float)(i * 2 * MaxSigmoid) / SigmoidTableSize - MaxSigmoid))))).ToArray();
    private static readonly float[] LogTable = Enumerable.Range(0, LogTableSize + 1)
        .Select(i => (float)Math.Log(((float)i + 1e-5f) / LogTableSize)).ToArray();

    protected float[] Output { get; } = output;
    protected int Dim { get; } = dim;

    /// <summary>True when every label of the example is a target at once (one-vs-all); otherwise one label is drawn.</summary>
    public virtual bool TrainsAllLabels => false;

    /// <summary>One example's loss, with its gradient step (learning rate <paramref name="lr"/>) applied.</summary>
    public abstract float Forward(ReadOnlySpan<int> targets, int targetIndex, FastTextTrainingState state, float lr);

    protected Span<float> Row(int row) => Output.AsSpan(row * Dim, Dim);

    /// <summary>Logistic regression of output row <paramref name="row"/> towards <paramref name="positive"/>.</summary>
    protected float BinaryLogistic(int row, FastTextTrainingState state, bool positive, float lr)
    {
        var weights = Row(row);
        float score = Sigmoid(DenseMatrix.Dot(state.Hidden, weights));
        float alpha = lr * ((positive ? 1f : 0f) - score);
        DenseMatrix.AddScaled(state.Gradient, weights, alpha);
        DenseMatrix.AddScaled(weights, state.Hidden, alpha);
        return positive ? -Log(score) : -Log(1f - score);
    }

    protected static float Sigmoid(float x)
    {
        if (x < -MaxSigmoid) return 0f;
        if (x > MaxSigmoid) return 1f;
        return SigmoidTable[(int)((x + MaxSigmoid) * SigmoidTableSize / MaxSigmoid / 2)];
    }

    protected static float Log(float x) => x > 1f ? 0f : LogTable[(int)(x * LogTableSize)];

    public static FastTextTrainingLoss Create(FastTextLoss loss, float[] output, int dim, IReadOnlyList<long> labelCounts, int negatives) => loss switch
    {
        FastTextLoss.Softmax => new SoftmaxTrainingLoss(output, dim, labelCounts.Count),
        FastTextLoss.OneVsAll => new OneVsAllTrainingLoss(output, dim, labelCounts.Count),
        FastTextLoss.NegativeSampling => new NegativeSamplingTrainingLoss(output, dim, labelCounts, negatives),
        FastTextLoss.HierarchicalSoftmax => new HierarchicalSoftmaxTrainingLoss(output, dim, labelCounts),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "unknown fastText loss"),
    };
}
