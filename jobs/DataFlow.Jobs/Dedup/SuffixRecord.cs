using System.Runtime.InteropServices;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// One window of a part's suffix file, 8 bytes: bits 16-47 of its order key (the 32 hash bits after the two-byte
/// prefix) and the start with its "same window as the previous entry" flag. The prefix is not stored: the file is in
/// key order and its key-count file says how many entries each prefix has, so a reader knows it. The order key read
/// back has its low 16 bits cleared; equal windows still have equal keys (and are flagged or compared byte by byte).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct SuffixRecord(uint Hash, int Packed)
{
    public static SuffixRecord Of(WindowSuffix suffix) => new((uint)(suffix.Key >> 16), suffix.Packed);

    /// <summary>The entry with its key rebuilt from the prefix (the top 16 bits), low 16 bits zero.</summary>
    public WindowSuffix ToSuffix(int prefix) => new(((ulong)prefix << 48) | ((ulong)Hash << 16), Packed);
}
