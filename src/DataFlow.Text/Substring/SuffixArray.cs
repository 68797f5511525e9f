using System.Numerics;

namespace DataFlow.Text.Substring;

/// <summary>
/// Suffix array by SA-IS (Nong, Zhang and Chan 2009), linear time: classify suffixes S/L, sort the LMS substrings by
/// induced sorting, name them, recurse on the names when two are equal, then induce the whole order from the sorted
/// LMS suffixes. The end of the text acts as a sentinel smaller than every symbol, so a suffix that is a prefix of
/// another sorts first. The names of the reduced problem live in the upper half of the output array (LMS positions are
/// at least two apart, so at most n/2 of them), so the extra memory is one byte per symbol (the S/L types) plus the
/// bucket counts.
/// </summary>
public static class SuffixArray
{
    /// <summary>Fills <paramref name="sa"/> (length = text length) with the start positions of the suffixes of <paramref name="text"/> in sorted order.</summary>
    public static void Build(ReadOnlySpan<byte> text, Span<int> sa)
    {
        if (sa.Length != text.Length) throw new ArgumentException($"suffix array length {sa.Length} differs from text length {text.Length}");
        Sais(text, sa, 256);
    }

    /// <summary>Same over symbols in [0, alphabet): the reduced problems of the recursion, or token ids.</summary>
    public static void Build(ReadOnlySpan<int> text, Span<int> sa, int alphabet)
    {
        if (sa.Length != text.Length) throw new ArgumentException($"suffix array length {sa.Length} differs from text length {text.Length}");
        foreach (var c in text)
            if ((uint)c >= (uint)alphabet) throw new ArgumentException($"symbol {c} outside the alphabet [0, {alphabet})");
        Sais(text, sa, alphabet);
    }

    private static void Sais<T>(ReadOnlySpan<T> s, Span<int> sa, int k) where T : unmanaged, IBinaryInteger<T>
    {
        var n = s.Length;
        if (n == 0) return;
        if (n == 1)
        {
            sa[0] = 0;
            return;
        }
        // S-type: s[i] < s[i+1], or equal and s[i+1] is S-type. The last symbol is L (the sentinel after it is smaller).
        var isS = new bool[n];
        for (var i = n - 2; i >= 0; i--)
        {
            var a = int.CreateTruncating(s[i]);
            var b = int.CreateTruncating(s[i + 1]);
            isS[i] = a < b || (a == b && isS[i + 1]);
        }
        var counts = new int[k];
        foreach (var c in s) counts[int.CreateTruncating(c)]++;
        var bucket = new int[k];

        // 1. LMS suffixes at the ends of their buckets, in text order; inducing from them sorts the LMS substrings.
        sa.Fill(-1);
        BucketEnds(counts, bucket);
        for (var i = 1; i < n; i++)
            if (IsLms(isS, i)) sa[--bucket[int.CreateTruncating(s[i])]] = i;
        Induce(s, sa, isS, counts, bucket);

        // 2. Compact the sorted LMS positions into sa[0, m), then name the LMS substrings: equal substrings, equal names.
        var m = 0;
        for (var i = 0; i < n; i++)
            if (IsLms(isS, sa[i])) sa[m++] = sa[i];
        sa[m..].Fill(-1);
        var names = 0;
        var previous = -1;
        for (var i = 0; i < m; i++)
        {
            var position = sa[i];
            if (previous < 0 || !SameLmsSubstring(s, isS, previous, position)) names++;
            previous = position;
            sa[m + position / 2] = names - 1;
        }
        // The names in text order, packed at the top of sa: the reduced string s1.
        for (int i = n - 1, j = n - 1; i >= m; i--)
            if (sa[i] >= 0) sa[j--] = sa[i];

        // 3. Sort the LMS suffixes: by recursion when names repeat, directly when they are all distinct.
        var s1 = sa[(n - m)..];
        var sa1 = sa[..m];
        if (names < m) Sais<int>(s1, sa1, names);
        else
            for (var i = 0; i < m; i++) sa1[s1[i]] = i;
        // Map ranks of the reduced problem back to text positions (s1 is overwritten by the LMS positions).
        for (int i = 1, j = 0; i < n; i++)
            if (IsLms(isS, i)) s1[j++] = i;
        for (var i = 0; i < m; i++) sa1[i] = s1[sa1[i]];
        sa[m..].Fill(-1);

        // 4. Sorted LMS suffixes at their bucket ends (from the last, so no slot is overwritten before it is read); induce.
        BucketEnds(counts, bucket);
        for (var i = m - 1; i >= 0; i--)
        {
            var position = sa[i];
            sa[i] = -1;
            sa[--bucket[int.CreateTruncating(s[position])]] = position;
        }
        Induce(s, sa, isS, counts, bucket);
    }

    private static bool IsLms(bool[] isS, int i) => i > 0 && isS[i] && !isS[i - 1];

    /// <summary>L-type suffixes from left to right (bucket heads), then S-type from right to left (bucket ends).</summary>
    private static void Induce<T>(ReadOnlySpan<T> s, Span<int> sa, bool[] isS, int[] counts, int[] bucket) where T : unmanaged, IBinaryInteger<T>
    {
        var n = s.Length;
        BucketStarts(counts, bucket);
        // The suffix n-1 is induced by the virtual sentinel, which sorts before everything.
        sa[bucket[int.CreateTruncating(s[n - 1])]++] = n - 1;
        for (var i = 0; i < n; i++)
        {
            var v = sa[i] - 1;
            if (v >= 0 && !isS[v]) sa[bucket[int.CreateTruncating(s[v])]++] = v;
        }
        BucketEnds(counts, bucket);
        for (var i = n - 1; i >= 0; i--)
        {
            var v = sa[i] - 1;
            if (v >= 0 && isS[v]) sa[--bucket[int.CreateTruncating(s[v])]] = v;
        }
    }

    /// <summary>Whether the LMS substrings starting at a and b (up to and including the next LMS position) are equal.</summary>
    private static bool SameLmsSubstring<T>(ReadOnlySpan<T> s, bool[] isS, int a, int b) where T : unmanaged, IBinaryInteger<T>
    {
        var n = s.Length;
        for (var d = 0; ; d++)
        {
            // The substring that runs into the sentinel is unique.
            if (a + d == n || b + d == n) return false;
            if (s[a + d] != s[b + d] || isS[a + d] != isS[b + d]) return false;
            if (d > 0)
            {
                var endA = IsLms(isS, a + d);
                var endB = IsLms(isS, b + d);
                if (endA || endB) return endA && endB;
            }
        }
    }

    private static void BucketStarts(int[] counts, int[] bucket)
    {
        var sum = 0;
        for (var c = 0; c < counts.Length; c++)
        {
            bucket[c] = sum;
            sum += counts[c];
        }
    }

    private static void BucketEnds(int[] counts, int[] bucket)
    {
        var sum = 0;
        for (var c = 0; c < counts.Length; c++)
        {
            sum += counts[c];
            bucket[c] = sum;
        }
    }
}
