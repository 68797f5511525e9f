using System.IO.Hashing;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DataFlow.Text.Substring;

/// <summary>
/// The suffixes of a text that start a window (windowLength bytes, none of them the separator), in window order: by
/// <see cref="KeyOf"/> (the first two bytes, then 48 bits of the window's XxHash3), then by the window's bytes, then
/// by start. Equal windows are adjacent, as in the full suffix array restricted to windows (where they are adjacent
/// because they share a prefix of windowLength bytes); only the order between different windows differs, which no
/// reader uses but to merge, and every part sorted this way merges with the same comparison (<see cref="Compare"/>).
/// Built in buckets of consecutive keys so that at most about <c>bucketEntries</c> entries (12 bytes each, twice: the
/// radix sort's scratch) are held: each bucket is one vectorised scan of the text for its first bytes that scatters
/// the windows into one segment per two-byte prefix, then an MSD radix sort of each segment's hash bits; runs
/// of equal keys are checked byte by byte (equal windows sorted by start, a rare hash collision by the bytes).
/// Time: the hash reads windowLength bytes per window; the sort is a few passes over uniform keys. Memory: the text,
/// one bit per byte, one bucket and its scratch.
/// </summary>
public static class WindowSuffixArray
{
    /// <summary>The order key of a window: first two bytes in the top 16 bits (so a key range is a range of prefixes), then hash bits.</summary>
    public static ulong KeyOf(ReadOnlySpan<byte> window) =>
        ((ulong)((window[0] << 8) | window[1]) << 48) | (XxHash3.HashToUInt64(window) >> 16);

    /// <summary>Window order of two windows of the same length, given their keys: key, then bytes.</summary>
    public static int Compare(ulong keyA, ReadOnlySpan<byte> a, ulong keyB, ReadOnlySpan<byte> b)
    {
        var c = keyA.CompareTo(keyB);
        return c != 0 ? c : a.SequenceCompareTo(b);
    }

    /// <summary>
    /// Sorts the windows of <paramref name="text"/> and hands them to <paramref name="sink"/> one bucket at a time, in
    /// order (never an empty one); the span is reused after the call. Returns the number of windows and of buckets.
    /// </summary>
    public static unsafe (long Windows, int Buckets) Build(ReadOnlySpan<byte> text, int windowLength, byte separator, int bucketEntries,
        Action<ReadOnlySpan<WindowSuffix>> sink)
    {
        if (windowLength < 2) throw new ArgumentException($"window length {windowLength} must be at least 2");
        if (bucketEntries < 1) throw new ArgumentException($"bucket size {bucketEntries} must be positive");
        var n = text.Length;
        var starts = new ulong[(n + 63) / 64];
        var counts = new long[1 << 16];
        long windows = 0;
        fixed (byte* t = text)
        fixed (ulong* bits = starts)
        {
            for (long p = n - 1, run = 0; p >= 0; p--)
            {
                run = t[p] == separator ? 0 : run + 1;
                if (run >= windowLength) bits[p >> 6] |= 1UL << (int)(p & 63);
            }
            for (var w = 0; w < starts.Length; w++)
                for (var word = bits[w]; word != 0; word &= word - 1)
                {
                    var p = (w << 6) + BitOperations.TrailingZeroCount(word);
                    counts[(t[p] << 8) | t[p + 1]]++;
                    windows++;
                }
        }
        var buckets = Plan(counts, bucketEntries);
        var buffer = new WindowSuffix[(int)Math.Min(windows, bucketEntries)];
        var scratch = new WindowSuffix[buffer.Length];
        var segmentStarts = new int[(1 << 16) + 1];
        foreach (var (low, high) in buckets)
        {
            // A bucket of whole prefixes knows how many windows each prefix has: collecting scatters them into one
            // segment per prefix (a counting sort for free), and only the hash bits are left to sort within segments.
            var prefixLow = (int)(low >> 48);
            var prefixHigh = (int)(high >> 48);
            var wholePrefixes = (low & HashMask) == 0 && (high & HashMask) == HashMask;
            int filled;
            if (wholePrefixes)
            {
                var sum = 0;
                for (var prefix = prefixLow; prefix <= prefixHigh; prefix++)
                {
                    segmentStarts[prefix - prefixLow] = sum;
                    sum += (int)counts[prefix];
                }
                segmentStarts[prefixHigh - prefixLow + 1] = sum;
                filled = sum;
            }
            else filled = 0;
            filled = Collect(text, starts, windowLength, low, high, wholePrefixes ? segmentStarts : null, ref buffer, filled);
            if (filled == 0) continue; // a hash range of a split prefix can be empty
            var bucket = buffer.AsSpan(0, filled);
            if (scratch.Length < filled) scratch = new WindowSuffix[buffer.Length];
            fixed (WindowSuffix* b = bucket)
            fixed (WindowSuffix* tmp = scratch)
            {
                if (!wholePrefixes) RadixSort(b, tmp, filled, 56);
                else
                    for (int prefix = prefixLow, from = 0; prefix <= prefixHigh; prefix++)
                    {
                        var c = (int)counts[prefix];
                        if (c > 1) RadixSort(b + from, tmp, c, 40);
                        from += c;
                    }
            }
            ResolveEqualKeys(text, windowLength, bucket);
            sink(bucket);
        }
        return (windows, buckets.Count);
    }

    /// <summary>Key ranges [low, high] of consecutive two-byte prefixes holding at most bucketEntries windows; a prefix with more is split by hash range.</summary>
    private static List<(ulong Low, ulong High)> Plan(long[] counts, int bucketEntries)
    {
        const ulong hashSpan = 1UL << 48;
        var buckets = new List<(ulong, ulong)>();
        var first = -1;
        var last = -1;
        long sum = 0;
        void Flush()
        {
            if (first >= 0) buckets.Add(((ulong)first << 48, ((ulong)last << 48) | (hashSpan - 1)));
            first = -1;
            sum = 0;
        }
        for (var prefix = 0; prefix < counts.Length; prefix++)
        {
            var c = counts[prefix];
            if (c == 0) continue;
            if (c > bucketEntries)
            {
                Flush();
                var parts = (ulong)((c + bucketEntries - 1) / bucketEntries);
                for (ulong s = 0; s < parts; s++)
                    buckets.Add((((ulong)prefix << 48) | (hashSpan / parts * s), ((ulong)prefix << 48) | (s + 1 == parts ? hashSpan - 1 : hashSpan / parts * (s + 1) - 1)));
                continue;
            }
            if (sum + c > bucketEntries) Flush();
            if (first < 0) first = prefix;
            last = prefix;
            sum += c;
        }
        Flush();
        return buckets;
    }

    private const ulong HashMask = 0xFFFF_FFFF_FFFF;

    /// <summary>
    /// The windows whose key lies in [low, high], found by scanning for their first bytes 32 at a time; into the
    /// segment of their prefix (segments: a cursor per prefix, advanced here) or, without segments, appended in text order.
    /// </summary>
    private static unsafe int Collect(ReadOnlySpan<byte> text, ulong[] starts, int windowLength, ulong low, ulong high, int[]? segments,
        ref WindowSuffix[] buffer, int filled)
    {
        var firstLow = (byte)(low >> 56);
        var firstSpan = (byte)((byte)(high >> 56) - firstLow);
        var prefixLow = (int)(low >> 48);
        var prefixSpan = (uint)((int)(high >> 48) - prefixLow);
        var n = text.Length;
        var appended = 0;
        fixed (byte* t = text)
        fixed (ulong* bits = starts)
        {
            var i = 0;
            var lowVector = Vector256.Create(firstLow);
            var spanVector = Vector256.Create(firstSpan);
            for (; i <= n; i += Vector256<byte>.Count)
            {
                uint hits;
                if (i + Vector256<byte>.Count <= n)
                    hits = Vector256.LessThanOrEqual(Vector256.Load(t + i) - lowVector, spanVector).ExtractMostSignificantBits();
                else
                {
                    hits = 0;
                    for (var j = i; j < n; j++)
                        if ((byte)(t[j] - firstLow) <= firstSpan) hits |= 1u << (j - i);
                }
                if (hits == 0) continue;
                // The window starts among these 32 positions (a window start is at least windowLength >= 2 bytes from the end).
                hits &= ReadBits(bits, i);
                for (; hits != 0; hits &= hits - 1)
                {
                    var p = i + BitOperations.TrailingZeroCount(hits);
                    var prefix = (t[p] << 8) | t[p + 1];
                    if ((uint)(prefix - prefixLow) > prefixSpan) continue;
                    var key = KeyOf(new ReadOnlySpan<byte>(t + p, windowLength));
                    if (segments is not null) buffer[segments[prefix - prefixLow]++] = new WindowSuffix(key, p);
                    else if (key >= low && key <= high)
                    {
                        if (appended == buffer.Length) Array.Resize(ref buffer, Math.Max(16, buffer.Length + buffer.Length / 2));
                        buffer[appended++] = new WindowSuffix(key, p);
                    }
                }
            }
        }
        return segments is not null ? filled : appended;
    }

    /// <summary>The 32 bits of the window-start bitmap from position i (a multiple of 32).</summary>
    private static unsafe uint ReadBits(ulong* bits, int i) => (uint)(bits[i >> 6] >> (i & 32));

    /// <summary>
    /// MSD radix sort by key, one byte at a time from the highest byte that differs: each level scatters into the scratch
    /// (sequential reads, 256 write streams) and copies back; small ranges by insertion.
    /// </summary>
    private static unsafe void RadixSort(WindowSuffix* a, WindowSuffix* scratch, int n, int shift)
    {
        if (n <= 32)
        {
            for (var i = 1; i < n; i++)
            {
                var v = a[i];
                var j = i - 1;
                for (; j >= 0 && a[j].Key > v.Key; j--) a[j + 1] = a[j];
                a[j + 1] = v;
            }
            return;
        }
        // Skip the bytes every key shares (the prefix bytes of a segment, say).
        ulong differ = 0;
        var firstKey = a[0].Key;
        for (var i = 1; i < n; i++) differ |= a[i].Key ^ firstKey;
        if (differ == 0) return;
        shift = Math.Min(shift, (63 - BitOperations.LeadingZeroCount(differ)) & ~7);

        var count = stackalloc int[256];
        var next = stackalloc int[256];
        new Span<int>(count, 256).Clear();
        for (var i = 0; i < n; i++) count[(int)(a[i].Key >> shift) & 0xFF]++;
        for (int d = 0, sum = 0; d < 256; d++)
        {
            next[d] = sum;
            sum += count[d];
        }
        for (var i = 0; i < n; i++)
        {
            var v = a[i];
            scratch[next[(int)(v.Key >> shift) & 0xFF]++] = v;
        }
        new ReadOnlySpan<WindowSuffix>(scratch, n).CopyTo(new Span<WindowSuffix>(a, n));
        if (shift == 0) return;
        for (int d = 0, from = 0; d < 256; d++)
        {
            var c = count[d];
            if (c > 1) RadixSort(a + from, scratch, c, shift - 8);
            from += c;
        }
    }

    /// <summary>
    /// Within each run of equal keys: equal windows sorted by start and flagged as equal to the previous entry; windows
    /// whose keys collide sorted by their bytes first. Every flag is set from a byte comparison, never from the hash.
    /// </summary>
    private static unsafe void ResolveEqualKeys(ReadOnlySpan<byte> text, int windowLength, Span<WindowSuffix> bucket)
    {
        const int ahead = 32;
        fixed (byte* t = text)
        for (var i = 0; i < bucket.Length;)
        {
            // The windows of a run are read at random: fetch those of a run a little ahead.
            if (Sse.IsSupported && i + ahead < bucket.Length && bucket[i + ahead].Key == bucket[i + ahead - 1].Key)
            {
                Sse.Prefetch0(t + bucket[i + ahead].Start);
                Sse.Prefetch0(t + bucket[i + ahead - 1].Start);
            }
            var key = bucket[i].Key;
            var j = i + 1;
            while (j < bucket.Length && bucket[j].Key == key) j++;
            if (j - i > 1)
            {
                var run = bucket[i..j];
                var first = text.Slice(run[0].Start, windowLength);
                var allEqual = true;
                for (var r = 1; r < run.Length && allEqual; r++) allEqual = text.Slice(run[r].Start, windowLength).SequenceEqual(first);
                if (allEqual && run.Length == 2)
                {
                    if (run[0].Start > run[1].Start) (run[0], run[1]) = (run[1], run[0]);
                }
                else if (allEqual) run.Sort(static (x, y) => x.Start.CompareTo(y.Start));
                else
                    // A hash collision (about one in 2^48 pairs of one prefix): insertion sort by bytes, then start.
                    for (var r = 1; r < run.Length; r++)
                    {
                        var v = run[r];
                        var w = text.Slice(v.Start, windowLength);
                        var q = r - 1;
                        for (; q >= 0; q--)
                        {
                            var c = text.Slice(run[q].Start, windowLength).SequenceCompareTo(w);
                            if (c < 0 || (c == 0 && run[q].Start < v.Start)) break;
                            run[q + 1] = run[q];
                        }
                        run[q + 1] = v;
                    }
                for (var r = 1; r < run.Length; r++)
                    if (allEqual || text.Slice(run[r].Start, windowLength).SequenceEqual(text.Slice(run[r - 1].Start, windowLength)))
                        run[r] = new WindowSuffix(key, run[r].Start, sameAsPrevious: true);
            }
            i = j;
        }
    }
}
