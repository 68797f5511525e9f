using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A document the filter drops: its ordinal in its task's input, the id hash to check against, the document
/// kept in its place (the cluster id), the cluster's size, and why (exact copy of another member, or near).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct RemovalRecord(long Ordinal, ulong IdHash, ulong Cluster, long ClusterSize, int Exact) : IComparable<RemovalRecord>
{
    public const string Kind = "dedup-removals";

    public int CompareTo(RemovalRecord other) => Ordinal.CompareTo(other.Ordinal);
}
