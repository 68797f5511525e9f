using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace DataFlow.Text.Substring;

/// <summary>
/// Suffix array by SA-IS (Nong, Zhang and Chan 2009), linear time: classify suffixes S/L, sort the LMS substrings by
/// induced sorting, name them, recurse on the names when two are equal, then induce the whole order from the sorted
/// LMS suffixes. The end of the text acts as a sentinel smaller than every symbol, so a suffix that is a prefix of
/// another sorts first. The names of the reduced problem live in the upper half of the output array (LMS positions are
/// at least two apart, so at most n/2 of them), so the extra memory is one bit per symbol (the S/L types) plus the
/// bucket counts. Pointers, not spans, in the inner loops: bounds checks cost a third of the time.
/// </summary>
public static class SuffixArray
{
    /// <summary>Fills <paramref name="sa"/> (length = text length) with the start positions of the suffixes of <paramref name="text"/> in sorted order.</summary>
    public static void Build(ReadOnlySpan<byte> text, Span<int> sa)
    {
        if (sa.Length != text.Length) throw new ArgumentException($"suffix array length {sa.Length} differs from text length {text.Length}");
        Run(text, sa, 256);
    }

    /// <summary>Same over symbols in [0, alphabet): the reduced problems of the recursion, or token ids.</summary>
    public static void Build(ReadOnlySpan<int> text, Span<int> sa, int alphabet)
    {
        if (sa.Length != text.Length) throw new ArgumentException($"suffix array length {sa.Length} differs from text length {text.Length}");
        foreach (var c in text)
            if ((uint)c >= (uint)alphabet) throw new ArgumentException($"symbol {c} outside the alphabet [0, {alphabet})");
        Run(text, sa, alphabet);
    }

    private static unsafe void Run<T>(ReadOnlySpan<T> text, Span<int> sa, int alphabet) where T : unmanaged, IBinaryInteger<T>
    {
        fixed (T* s = text)
        fixed (int* p = sa)
            Sais(s, p, text.Length, alphabet);
    }

    private static unsafe void Sais<T>(T* s, int* sa, int n, int k) where T : unmanaged, IBinaryInteger<T>
    {
        if (n == 0) return;
        if (n == 1)
        {
            sa[0] = 0;
            return;
        }
        // S-type: s[i] < s[i+1], or equal and s[i+1] is S-type. The last symbol is L (the sentinel after it is smaller). One bit each.
        var typeBits = new ulong[(n + 63) / 64];
        var counts = new int[k];
        var bucket = new int[k];
        fixed (ulong* types = typeBits)
        fixed (int* count = counts)
        fixed (int* bkt = bucket)
        {
            count[int.CreateTruncating(s[n - 1])]++;
            var nextIsS = false;
            for (var i = n - 2; i >= 0; i--)
            {
                var a = int.CreateTruncating(s[i]);
                var b = int.CreateTruncating(s[i + 1]);
                count[a]++;
                nextIsS = a < b || (a == b && nextIsS);
                if (nextIsS) types[i >> 6] |= 1UL << (i & 63);
            }

            // 1. LMS suffixes at the ends of their buckets, in text order; inducing from them sorts the LMS substrings.
            new Span<int>(sa, n).Fill(-1);
            BucketEnds(count, bkt, k);
            for (var i = 1; i < n; i++)
                if (IsLms(types, i)) sa[--bkt[int.CreateTruncating(s[i])]] = i;
            Induce(s, sa, n, types, count, bkt, k);

            // 2. Compact the sorted LMS positions into sa[0, m), then name the LMS substrings: equal substrings, equal names.
            var m = 0;
            for (var i = 0; i < n; i++)
                if (IsLms(types, sa[i])) sa[m++] = sa[i];
            new Span<int>(sa + m, n - m).Fill(-1);
            var names = 0;
            var previous = -1;
            for (var i = 0; i < m; i++)
            {
                var position = sa[i];
                if (previous < 0 || !SameLmsSubstring(s, n, types, previous, position)) names++;
                previous = position;
                sa[m + position / 2] = names - 1;
            }
            // The names in text order, packed at the top of sa: the reduced string s1.
            for (int i = n - 1, j = n - 1; i >= m; i--)
                if (sa[i] >= 0) sa[j--] = sa[i];

            // 3. Sort the LMS suffixes: by recursion when names repeat, directly when they are all distinct.
            var s1 = sa + (n - m);
            var sa1 = sa;
            if (names < m) Sais(s1, sa1, m, names);
            else
                for (var i = 0; i < m; i++) sa1[s1[i]] = i;
            // Map ranks of the reduced problem back to text positions (s1 is overwritten by the LMS positions).
            for (int i = 1, j = 0; i < n; i++)
                if (IsLms(types, i)) s1[j++] = i;
            for (var i = 0; i < m; i++) sa1[i] = s1[sa1[i]];
            new Span<int>(sa + m, n - m).Fill(-1);

            // 4. Sorted LMS suffixes at their bucket ends (from the last, so no slot is overwritten before it is read); induce.
            BucketEnds(count, bkt, k);
            for (var i = m - 1; i >= 0; i--)
            {
                var position = sa[i];
                sa[i] = -1;
                sa[--bkt[int.CreateTruncating(s[position])]] = position;
            }
            Induce(s, sa, n, types, count, bkt, k);
        }
    }

    /// <summary>How far ahead of the scan the symbol and type of the suffix to induce are fetched: those reads are random and miss the cache.</summary>
    private const int Ahead = 48;

    private static unsafe void Prefetch<T>(T* s, ulong* types, int v) where T : unmanaged
    {
        if (v < 0 || !Sse.IsSupported) return;
        Sse.Prefetch0(s + v);
        Sse.Prefetch0(types + (v >> 6));
    }

    private static unsafe bool IsS(ulong* types, int i) => ((types[i >> 6] >> (i & 63)) & 1) != 0;

    private static unsafe bool IsLms(ulong* types, int i) => i > 0 && IsS(types, i) && !IsS(types, i - 1);

    /// <summary>L-type suffixes from left to right (bucket heads), then S-type from right to left (bucket ends).</summary>
    private static unsafe void Induce<T>(T* s, int* sa, int n, ulong* types, int* count, int* bkt, int k) where T : unmanaged, IBinaryInteger<T>
    {
        BucketStarts(count, bkt, k);
        // The suffix n-1 is induced by the virtual sentinel, which sorts before everything.
        sa[bkt[int.CreateTruncating(s[n - 1])]++] = n - 1;
        for (var i = 0; i < n; i++)
        {
            if (i + Ahead < n) Prefetch(s, types, sa[i + Ahead] - 1);
            var v = sa[i] - 1;
            if (v >= 0 && !IsS(types, v)) sa[bkt[int.CreateTruncating(s[v])]++] = v;
        }
        BucketEnds(count, bkt, k);
        for (var i = n - 1; i >= 0; i--)
        {
            if (i >= Ahead) Prefetch(s, types, sa[i - Ahead] - 1);
            var v = sa[i] - 1;
            if (v >= 0 && IsS(types, v)) sa[--bkt[int.CreateTruncating(s[v])]] = v;
        }
    }

    /// <summary>Whether the LMS substrings starting at a and b (up to and including the next LMS position) are equal.</summary>
    private static unsafe bool SameLmsSubstring<T>(T* s, int n, ulong* types, int a, int b) where T : unmanaged, IBinaryInteger<T>
    {
        for (var d = 0; ; d++)
        {
            // The substring that runs into the sentinel is unique.
            if (a + d == n || b + d == n) return false;
            if (s[a + d] != s[b + d] || IsS(types, a + d) != IsS(types, b + d)) return false;
            if (d > 0)
            {
                var endA = IsLms(types, a + d);
                var endB = IsLms(types, b + d);
                if (endA || endB) return endA && endB;
            }
        }
    }

    private static unsafe void BucketStarts(int* count, int* bkt, int k)
    {
        var sum = 0;
        for (var c = 0; c < k; c++)
        {
            bkt[c] = sum;
            sum += count[c];
        }
    }

    private static unsafe void BucketEnds(int* count, int* bkt, int k)
    {
        var sum = 0;
        for (var c = 0; c < k; c++)
        {
            sum += count[c];
            bkt[c] = sum;
        }
    }
}
