using System.Runtime.InteropServices;

namespace DataFlow.Jobs.Dedup;

/// <summary>One document of a substring-dedup part, in input order: its UTF-8 length and a hash of its id, so the filter can prove it re-reads the same documents.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
public readonly record struct SubstringDocRecord(long Bytes, ulong IdHash);
