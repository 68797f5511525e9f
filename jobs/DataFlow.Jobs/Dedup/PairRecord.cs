using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>A candidate duplicate pair: the first document of a bucket and another member of it.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct PairRecord(ulong First, ulong Other) : IComparable<PairRecord>
{
    public const string NearKind = "dedup-pairs";
    public const string ExactKind = "dedup-xpairs";

    public int CompareTo(PairRecord other)
    {
        var c = First.CompareTo(other.First);
        return c != 0 ? c : Other.CompareTo(other.Other);
    }
}
