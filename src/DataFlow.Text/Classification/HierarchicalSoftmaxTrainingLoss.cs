namespace DataFlow.Text.Classification;

/// <summary>
/// Hierarchical softmax: labels are leaves of a Huffman tree built from their counts, and an example trains the
/// logistic regressions of the inner nodes on its target's path to the root (output row = inner node index).
/// </summary>
internal sealed class HierarchicalSoftmaxTrainingLoss : FastTextTrainingLoss
{
    private readonly int[][] _paths;
    private readonly bool[][] _codes;

    public HierarchicalSoftmaxTrainingLoss(float[] output, int dim, IReadOnlyList<long> labelCounts) : base(output, dim)
    {
        var tree = new HierarchicalSoftmaxTree(labelCounts);
        (_paths, _codes) = (tree.Paths, tree.Codes);
    }

    public override float Forward(ReadOnlySpan<int> targets, int targetIndex, FastTextTrainingState state, float lr)
    {
        int target = targets[targetIndex];
        int[] path = _paths[target];
        bool[] code = _codes[target];
        float loss = 0;
        for (int i = 0; i < path.Length; i++) loss += BinaryLogistic(path[i], state, code[i], lr);
        return loss;
    }
}
