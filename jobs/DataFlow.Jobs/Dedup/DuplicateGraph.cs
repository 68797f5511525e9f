using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Union-find over the documents that appear in some pair (never over all documents), with two partitions:
/// exact groups (identical normalized text) and clusters (exact or near, transitively). Path halving and
/// union by size; memory is about 40 bytes per document in a pair.
/// </summary>
public sealed class DuplicateGraph
{
    private readonly Dictionary<ulong, int> _nodes = [];
    private readonly List<ulong> _docs = [];
    private readonly List<int> _cluster = [];
    private readonly List<int> _clusterSize = [];
    private readonly List<int> _exact = [];

    public int Count => _docs.Count;

    public ulong DocOf(int node) => _docs[node];

    public bool TryGetNode(ulong doc, out int node) => _nodes.TryGetValue(doc, out node);

    public int NodeOf(ulong doc)
    {
        if (_nodes.TryGetValue(doc, out var node)) return node;
        node = _docs.Count;
        _nodes.Add(doc, node);
        _docs.Add(doc);
        _cluster.Add(node);
        _clusterSize.Add(1);
        _exact.Add(node);
        return node;
    }

    /// <summary>Joins two documents with identical normalized text (also joins their clusters).</summary>
    public void UnionExact(ulong a, ulong b)
    {
        var x = NodeOf(a);
        var y = NodeOf(b);
        var ex = Find(CollectionsMarshal.AsSpan(_exact), x);
        var ey = Find(CollectionsMarshal.AsSpan(_exact), y);
        if (ex != ey) _exact[Math.Max(ex, ey)] = Math.Min(ex, ey);
        UnionNear(x, y);
    }

    public void UnionNear(ulong a, ulong b) => UnionNear(NodeOf(a), NodeOf(b));

    public int ClusterOf(int node) => Find(CollectionsMarshal.AsSpan(_cluster), node);

    public int ExactGroupOf(int node) => Find(CollectionsMarshal.AsSpan(_exact), node);

    public int ClusterSize(int root) => _clusterSize[root];

    private void UnionNear(int x, int y)
    {
        var parents = CollectionsMarshal.AsSpan(_cluster);
        var rx = Find(parents, x);
        var ry = Find(parents, y);
        if (rx == ry) return;
        if (_clusterSize[rx] < _clusterSize[ry]) (rx, ry) = (ry, rx);
        parents[ry] = rx;
        _clusterSize[rx] += _clusterSize[ry];
    }

    private static int Find(Span<int> parents, int x)
    {
        while (parents[x] != x)
        {
            parents[x] = parents[parents[x]];
            x = parents[x];
        }
        return x;
    }
}
