using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A repeated sentence span the filter cuts: the document's ordinal in its task's input, the span's first sentence,
/// and the document that keeps the first occurrence (a DocRef). Sorted by ordinal, then sentence.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct SpanRemovalRecord(long Ordinal, long Sentence, ulong KeptIn) : IComparable<SpanRemovalRecord>
{
    public const string Kind = "dedup-spancuts";

    public int CompareTo(SpanRemovalRecord other)
    {
        var c = Ordinal.CompareTo(other.Ordinal);
        return c != 0 ? c : Sentence.CompareTo(other.Sentence);
    }
}
