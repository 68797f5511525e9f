namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Union-find over the documents that appear in some pair (never over all documents), with three partitions:
/// exact groups (identical text), URL groups (same normalized URL) and clusters (any of these, transitively). Path halving and union by size.
/// Nodes, parents and sizes are 64-bit and stored in chunks, and the document index is split in 64 dictionaries,
/// so nothing is capped at 2^31; memory is about 68 bytes per document in a pair.
/// </summary>
public sealed class DuplicateGraph
{
    private const int IndexShards = 64;
    private readonly Dictionary<ulong, long>[] _nodes = Enumerable.Range(0, IndexShards).Select(_ => new Dictionary<ulong, long>()).ToArray();
    private readonly ChunkedList<ulong> _docs = new();
    private readonly ChunkedList<long> _cluster = new();
    private readonly ChunkedList<long> _clusterSize = new();
    private readonly ChunkedList<long> _exact = new();
    private readonly ChunkedList<long> _url = new();

    public long Count => _docs.Count;

    public ulong DocOf(long node) => _docs[node];

    public bool TryGetNode(ulong doc, out long node) => IndexOf(doc).TryGetValue(doc, out node);

    public long NodeOf(ulong doc)
    {
        var index = IndexOf(doc);
        if (index.TryGetValue(doc, out var node)) return node;
        node = _docs.Count;
        index.Add(doc, node);
        _docs.Add(doc);
        _cluster.Add(node);
        _clusterSize.Add(1);
        _exact.Add(node);
        _url.Add(node);
        return node;
    }

    /// <summary>Joins two documents with identical text (also joins their clusters).</summary>
    public void UnionExact(ulong a, ulong b)
    {
        var x = NodeOf(a);
        var y = NodeOf(b);
        var ex = Find(_exact, x);
        var ey = Find(_exact, y);
        if (ex != ey) _exact[Math.Max(ex, ey)] = Math.Min(ex, ey);
        UnionNear(x, y);
    }

    /// <summary>Joins two documents with the same normalized URL (also joins their clusters).</summary>
    public void UnionUrl(ulong a, ulong b)
    {
        var x = NodeOf(a);
        var y = NodeOf(b);
        var ux = Find(_url, x);
        var uy = Find(_url, y);
        if (ux != uy) _url[Math.Max(ux, uy)] = Math.Min(ux, uy);
        UnionNear(x, y);
    }

    public void UnionNear(ulong a, ulong b) => UnionNear(NodeOf(a), NodeOf(b));

    public long ClusterOf(long node) => Find(_cluster, node);

    public long ExactGroupOf(long node) => Find(_exact, node);

    public long UrlGroupOf(long node) => Find(_url, node);

    public long ClusterSize(long root) => _clusterSize[root];

    // DocRefs are task << 40 | ordinal: mix them so consecutive documents spread over the shards.
    private Dictionary<ulong, long> IndexOf(ulong doc) => _nodes[(int)((doc * 0x9E3779B97F4A7C15UL) >> 58)];

    private void UnionNear(long x, long y)
    {
        var rx = Find(_cluster, x);
        var ry = Find(_cluster, y);
        if (rx == ry) return;
        if (_clusterSize[rx] < _clusterSize[ry]) (rx, ry) = (ry, rx);
        _cluster[ry] = rx;
        _clusterSize[rx] += _clusterSize[ry];
    }

    private static long Find(ChunkedList<long> parents, long x)
    {
        while (parents[x] != x)
        {
            parents[x] = parents[parents[x]];
            x = parents[x];
        }
        return x;
    }
}
