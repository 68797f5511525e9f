using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A document the filter drops: its ordinal in its task's input, the id hash to check against, the document
/// kept in its place (the cluster id), the cluster's size, and why (<see cref="Exact"/>: 1 exact copy of another
/// member, 2 same URL as another, 0 near).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct RemovalRecord(long Ordinal, ulong IdHash, ulong Cluster, long ClusterSize, int Exact) : IComparable<RemovalRecord>
{
    public const string Kind = "dedup-removals";
    public const int NearReason = 0, ExactReason = 1, UrlReason = 2;

    public int CompareTo(RemovalRecord other) => Ordinal.CompareTo(other.Ordinal);
}
