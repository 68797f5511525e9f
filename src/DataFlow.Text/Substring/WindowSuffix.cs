using System.Runtime.InteropServices;

namespace DataFlow.Text.Substring;

/// <summary>
/// One entry of a <see cref="WindowSuffixArray"/>: the start of a window (a suffix whose first window-length bytes are
/// all present) and its order key: the window's first two bytes, then the top 48 bits of the window's XxHash3. Bit 31
/// of <see cref="Packed"/> says the window equals the previous entry's (checked byte by byte), so a reader groups
/// equal windows without the text. 12 bytes, stored as is in the part's suffix file.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct WindowSuffix(ulong Key, int Packed)
{
    public WindowSuffix(ulong key, int start, bool sameAsPrevious) : this(key, sameAsPrevious ? start | int.MinValue : start)
    {
    }

    /// <summary>Byte offset of the window in the text.</summary>
    public int Start => Packed & int.MaxValue;

    /// <summary>Whether the window equals the previous entry's window (always false for the first entry of an array).</summary>
    public bool SameAsPrevious => Packed < 0;
}
