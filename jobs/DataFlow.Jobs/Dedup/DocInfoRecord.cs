using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// What the clusters stage needs to choose a keeper, written by the signatures stage in input order:
/// the keep priority (higher wins), the text's UTF-8 size (for bytes saved) and a hash of the id (so the
/// filter can prove it is reading the same documents in the same order).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct DocInfoRecord(ulong Doc, double Priority, long Bytes, ulong IdHash) : IComparable<DocInfoRecord>
{
    public const string Kind = "dedup-docs";

    public int CompareTo(DocInfoRecord other) => Doc.CompareTo(other.Doc);
}
