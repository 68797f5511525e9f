using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataFlow.Text.Substring;

namespace DataFlow.Tests.Dedup;

/// <summary>
/// The window suffix array (bucketed, hash-keyed) against two references: SA-IS (the full suffix array, restricted to
/// the windows, where equal windows are adjacent because they share a prefix of the window length) and a brute force
/// (every window looked up in a dictionary). The repeated-window groups must be the same sets of starts in all three;
/// the order must be the documented window order; every flag must match a byte comparison.
/// </summary>
public sealed class WindowSuffixArrayTests
{
    private const byte Separator = 0xFF;

    private static List<WindowSuffix> Build(byte[] text, int k, int bucketEntries)
    {
        var all = new List<WindowSuffix>();
        var previousLast = (ulong?)null;
        var (windows, buckets) = WindowSuffixArray.Build(text, k, Separator, bucketEntries, bucket =>
        {
            Assert.False(bucket.IsEmpty);
            if (previousLast is { } last) Assert.True(bucket[0].Key > last, "buckets come in key order and never share a key");
            previousLast = bucket[^1].Key;
            foreach (var s in bucket) all.Add(s);
        });
        Assert.Equal(all.Count, windows);
        Assert.True(buckets >= (all.Count > 0 ? 1 : 0));
        return all;
    }

    private static bool IsWindow(byte[] text, int p, int k) => p + k <= text.Length && Array.IndexOf(text, Separator, p, k) < 0;

    private static HashSet<string> Groups(IEnumerable<List<int>> groups) =>
        groups.Where(g => g.Count > 1).Select(g => string.Join(',', g.Order())).ToHashSet();

    private static void AssertAgainstReferences(byte[] text, int k, int bucketEntries)
    {
        var ours = Build(text, k, bucketEntries);
        var expectedStarts = Enumerable.Range(0, text.Length).Where(p => IsWindow(text, p, k)).ToList();
        Assert.Equal(expectedStarts, ours.Select(s => s.Start).Order().ToList());

        ReadOnlySpan<byte> W(int p) => text.AsSpan(p, k);
        for (var i = 0; i < ours.Count; i++)
        {
            var s = ours[i];
            Assert.Equal(WindowSuffixArray.KeyOf(W(s.Start)), s.Key);
            if (i == 0)
            {
                Assert.False(s.SameAsPrevious);
                continue;
            }
            var p = ours[i - 1];
            var c = WindowSuffixArray.Compare(p.Key, W(p.Start), s.Key, W(s.Start));
            Assert.True(c < 0 || (c == 0 && p.Start < s.Start), $"entries {i - 1} and {i} out of window order");
            Assert.Equal(W(p.Start).SequenceEqual(W(s.Start)), s.SameAsPrevious);
        }

        // Our groups: runs joined by the flags.
        var oursGroups = new List<List<int>>();
        foreach (var s in ours)
            if (s.SameAsPrevious) oursGroups[^1].Add(s.Start);
            else oursGroups.Add([s.Start]);

        // SA-IS: the full suffix array, windows only, runs sharing the first k bytes.
        var sa = new int[text.Length];
        SuffixArray.Build(text, sa);
        var saisGroups = new List<List<int>>();
        var previous = -1;
        foreach (var p in sa)
        {
            if (!IsWindow(text, p, k)) continue;
            if (previous >= 0 && W(previous).SequenceEqual(W(p))) saisGroups[^1].Add(p);
            else saisGroups.Add([p]);
            previous = p;
        }

        // Brute force: a dictionary of windows.
        var bruteGroups = expectedStarts.GroupBy(p => Convert.ToHexString(text, p, k)).Select(g => g.ToList());

        var expected = Groups(bruteGroups);
        Assert.Equal(expected, Groups(saisGroups));
        Assert.Equal(expected, Groups(oursGroups));
        Assert.Equal(expectedStarts.Count, saisGroups.Sum(g => g.Count));
    }

    public static TheoryData<int, int> Sizes => new() { { 2, 1 }, { 3, 7 }, { 8, 50 }, { 50, 1000 }, { 50, int.MaxValue }, { 13, 3 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Random_texts_with_separators_group_as_SA_IS_and_a_brute_force(int k, int bucketEntries)
    {
        var rng = new Random(k * 31 + bucketEntries % 97);
        foreach (var alphabet in new[] { 1, 2, 4, 26, 255 })
            for (var trial = 0; trial < 12; trial++)
            {
                var text = new byte[rng.Next(0, 600)];
                for (var i = 0; i < text.Length; i++)
                    text[i] = rng.Next(40) == 0 ? Separator : (byte)('a' + rng.Next(alphabet) % 200);
                AssertAgainstReferences(text, k, bucketEntries);
            }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Periodic_and_all_equal_texts_group_as_SA_IS_and_a_brute_force(int k, int bucketEntries)
    {
        foreach (var period in new[] { "x", "ab", "abc", "aab", "abcabd", "the cat sat on the mat. " })
            foreach (var n in new[] { 1, 60, 2049 })
            {
                var text = Enumerable.Range(0, n).Select(i => (byte)period[i % period.Length]).ToArray();
                AssertAgainstReferences(text, k, bucketEntries);
                // The same cut into documents of varied lengths.
                for (var i = 37; i < text.Length; i += 37 + i % 11) text[i] = Separator;
                AssertAgainstReferences(text, k, bucketEntries);
            }
    }

    [Theory]
    [InlineData(50, 1 << 30)]
    [InlineData(50, 4096)]
    [InlineData(20, 777)]
    [InlineData(200, 10_000)]
    public void Natural_text_with_planted_repeats_groups_as_SA_IS_and_a_brute_force(int k, int bucketEntries)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "langid-manpages.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var text = new List<byte>();
        var licence = Encoding.UTF8.GetBytes("Permission is hereby granted, free of charge, to any person obtaining a copy of this software — ünïcödé. ");
        var d = 0;
        while (reader.ReadLine() is { } line && text.Count < 200_000)
        {
            if (line.Length == 0) continue;
            text.AddRange(Encoding.UTF8.GetBytes(JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!));
            if (d++ % 5 == 0) text.AddRange(licence);
            text.Add(Separator);
        }
        AssertAgainstReferences([.. text], k, bucketEntries);
    }

    [Fact]
    public void A_window_shorter_than_two_bytes_or_an_empty_bucket_is_refused()
    {
        Assert.Throws<ArgumentException>(() => WindowSuffixArray.Build("abc"u8, 1, Separator, 10, _ => { }));
        Assert.Throws<ArgumentException>(() => WindowSuffixArray.Build("abc"u8, 2, Separator, 0, _ => { }));
    }
}
