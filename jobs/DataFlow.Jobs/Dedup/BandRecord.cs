using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>One LSH band of one document: the band's 64-bit hash and the document. Sorted by hash, then document.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct BandRecord(ulong Hash, ulong Doc) : IComparable<BandRecord>
{
    public const string Kind = "dedup-band";

    public int CompareTo(BandRecord other)
    {
        var c = Hash.CompareTo(other.Hash);
        return c != 0 ? c : Doc.CompareTo(other.Doc);
    }
}
