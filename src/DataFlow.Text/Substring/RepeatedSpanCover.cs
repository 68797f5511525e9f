namespace DataFlow.Text.Substring;

/// <summary>
/// Turns the starts of repeated windows in one document (windows of <c>length</c> UTF-8 bytes that occur elsewhere)
/// into the byte ranges to remove: the union of the windows, each range then shrunk to whole characters (a window may
/// start or end inside a multi-byte character; only bytes of whole characters that lie in the union are removed).
/// </summary>
public static class RepeatedSpanCover
{
    /// <summary>Appends the ranges [Start, End) to remove, in order, and returns how many bytes they hold.</summary>
    public static long Ranges(ReadOnlySpan<byte> utf8, ReadOnlySpan<int> sortedStarts, int length, List<(int Start, int End)> ranges)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        long removed = 0;
        var i = 0;
        while (i < sortedStarts.Length)
        {
            var start = sortedStarts[i];
            var end = start + length;
            if (start < 0 || end > utf8.Length) throw new ArgumentOutOfRangeException(nameof(sortedStarts), $"window [{start}, {end}) outside a text of {utf8.Length} bytes");
            // Overlapping or touching windows form one range.
            while (++i < sortedStarts.Length && sortedStarts[i] <= end)
            {
                if (sortedStarts[i] < sortedStarts[i - 1]) throw new ArgumentException("window starts are not sorted", nameof(sortedStarts));
                end = Math.Max(end, sortedStarts[i] + length);
            }
            if (end > utf8.Length) throw new ArgumentOutOfRangeException(nameof(sortedStarts), $"window ends at {end}, past a text of {utf8.Length} bytes");
            while (start < end && IsContinuation(utf8[start])) start++;
            while (end > start && end < utf8.Length && IsContinuation(utf8[end])) end--;
            if (end <= start) continue;
            ranges.Add((start, end));
            removed += end - start;
        }
        return removed;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
