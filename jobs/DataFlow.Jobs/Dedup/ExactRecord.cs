using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>The XxHash128 of a document's normalized text and the document. Sorted by hash, then document.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct ExactRecord(ulong HashHigh, ulong HashLow, ulong Doc) : IComparable<ExactRecord>
{
    public const string Kind = "dedup-exact";

    public bool SameHash(in ExactRecord other) => HashHigh == other.HashHigh && HashLow == other.HashLow;

    public int CompareTo(ExactRecord other)
    {
        var c = HashHigh.CompareTo(other.HashHigh);
        if (c != 0) return c;
        c = HashLow.CompareTo(other.HashLow);
        return c != 0 ? c : Doc.CompareTo(other.Doc);
    }
}
