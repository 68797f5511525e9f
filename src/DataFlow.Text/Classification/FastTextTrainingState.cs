namespace DataFlow.Text.Classification;

/// <summary>
/// One training thread's scratch: the hidden vector (mean of the input rows), the gradient for those rows, the output
/// scores, its random generator (fastText's <c>minstd_rand</c>, seeded thread index + seed) and its running loss.
/// </summary>
internal sealed class FastTextTrainingState(int dim, int outputs, int seed)
{
    public float[] Hidden { get; } = new float[dim];
    public float[] Gradient { get; } = new float[dim];
    public float[] Scores { get; } = new float[outputs];
    public MinimalStandardRandom Random { get; } = new(seed);
    public double LossSum { get; private set; }
    public long Examples { get; private set; }

    public double AverageLoss => Examples == 0 ? double.NaN : LossSum / Examples;

    public void AddExample(float loss)
    {
        LossSum += loss;
        Examples++;
    }
}
