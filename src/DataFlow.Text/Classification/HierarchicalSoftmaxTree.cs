namespace DataFlow.Text.Classification;

/// <summary>
/// The Huffman tree of fastText's hierarchical softmax, built from label counts as loss.cc's buildTree does:
/// leaves 0..n-1 are the labels (counts sorted descending, as the dictionary stores them), inner node i
/// (n .. 2n-2) owns output-matrix row i - n, the root is 2n-2, and a right child is the "1" branch.
/// </summary>
public sealed class HierarchicalSoftmaxTree
{
    private readonly int[] parent;
    private readonly int[] left;
    private readonly int[] right;
    private readonly bool[] binary;

    public HierarchicalSoftmaxTree(IReadOnlyList<long> counts)
    {
        var n = counts.Count;
        if (n == 0) throw new ArgumentException("a hierarchical softmax needs at least one label", nameof(counts));
        LeafCount = n;
        var size = 2 * n - 1;
        parent = new int[size];
        left = new int[size];
        right = new int[size];
        binary = new bool[size];
        var count = new long[size];
        Array.Fill(parent, -1);
        Array.Fill(left, -1);
        Array.Fill(right, -1);
        Array.Fill(count, (long)1e15);
        for (var i = 0; i < n; i++) count[i] = counts[i];
        var leaf = n - 1;
        var node = n;
        Span<int> mini = stackalloc int[2];
        for (var i = n; i < size; i++)
        {
            for (var j = 0; j < 2; j++)
                mini[j] = leaf >= 0 && count[leaf] < count[node] ? leaf-- : node++;
            left[i] = mini[0];
            right[i] = mini[1];
            count[i] = count[mini[0]] + count[mini[1]];
            parent[mini[0]] = i;
            parent[mini[1]] = i;
            binary[mini[1]] = true;
        }
        Paths = new int[n][];
        Codes = new bool[n][];
        for (var i = 0; i < n; i++)
        {
            var path = new List<int>();
            var code = new List<bool>();
            for (var j = i; parent[j] != -1; j = parent[j])
            {
                path.Add(parent[j] - n);
                code.Add(binary[j]);
            }
            Paths[i] = path.ToArray();
            Codes[i] = code.ToArray();
        }
    }

    public int LeafCount { get; }

    public int Root => 2 * LeafCount - 2;

    /// <summary>Per label: the output rows of the inner nodes from the leaf up to the root (training targets).</summary>
    public int[][] Paths { get; }

    /// <summary>Per label: at each step of <see cref="Paths"/>, whether the branch taken is the "1" (right) branch.</summary>
    public bool[][] Codes { get; }

    public bool IsLeaf(int node) => left[node] == -1 && right[node] == -1;

    public int Left(int node) => left[node];

    public int Right(int node) => right[node];
}
