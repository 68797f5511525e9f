using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// One span of N consecutive sentences: its hash, the document and the span's first sentence. Sorted by hash, then
/// document, then sentence, so the first record of a hash is its first occurrence in input order (the one kept).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct SentenceSpanRecord(ulong Hash, ulong Doc, long Sentence) : IComparable<SentenceSpanRecord>
{
    public const string Kind = "dedup-sentspans";

    public int CompareTo(SentenceSpanRecord other)
    {
        var c = Hash.CompareTo(other.Hash);
        if (c != 0) return c;
        c = Doc.CompareTo(other.Doc);
        return c != 0 ? c : Sentence.CompareTo(other.Sentence);
    }
}
