namespace DataFlow.Jobs.Dedup;

/// <summary>
/// The full MinHash signatures of the documents in candidate pairs, by graph node: node k's NumPerm values sit at a
/// 64-bit offset, packed so that no signature crosses a 2^20-value chunk. 20 million documents x 112 values is past
/// 2^31 values, the limit of one .NET array.
/// </summary>
public sealed class SignatureStore
{
    private const long ChunkValues = 1 << 20;
    private readonly ChunkedList<uint> _values;
    private readonly long _perChunk;

    public SignatureStore(long nodes, int numPerm)
    {
        if (numPerm is < 1 or > (int)ChunkValues) throw new ArgumentOutOfRangeException(nameof(numPerm), $"num_perm {numPerm} must be in [1, {ChunkValues}] to verify candidates");
        NumPerm = numPerm;
        _perChunk = ChunkValues / numPerm;
        _values = new ChunkedList<uint>(nodes == 0 ? 0 : Offset(nodes - 1) + numPerm);
    }

    public int NumPerm { get; }

    /// <summary>Chunks of 2^20 values allocated so far (4 MiB each).</summary>
    public int AllocatedChunks => _values.AllocatedChunks;

    /// <summary>Where node <paramref name="node"/>'s signature starts.</summary>
    public long Offset(long node) => node / _perChunk * ChunkValues + node % _perChunk * NumPerm;

    public Span<uint> this[long node] => _values.Slice(Offset(node), NumPerm);
}
