using DataFlow.Text.Substring;

namespace DataFlow.Tests.Dedup;

/// <summary>SA-IS against a naive sort of all suffixes (shorter-is-smaller order) on random and adversarial inputs.</summary>
public sealed class SuffixArrayTests
{
    private static int[] Naive(byte[] text) =>
        Enumerable.Range(0, text.Length).OrderBy(i => i, Comparer<int>.Create((a, b) => text.AsSpan(a).SequenceCompareTo(text.AsSpan(b)))).ToArray();

    private static int[] Naive(int[] text) =>
        Enumerable.Range(0, text.Length).OrderBy(i => i, Comparer<int>.Create((a, b) => text.AsSpan(a).SequenceCompareTo(text.AsSpan(b)))).ToArray();

    private static void AssertSais(byte[] text)
    {
        var sa = new int[text.Length];
        SuffixArray.Build(text, sa);
        Assert.Equal(Naive(text), sa);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("ba")]
    [InlineData("aa")]
    [InlineData("banana")]
    [InlineData("mississippi")]
    [InlineData("abracadabra")]
    [InlineData("aabaabaabaab")]
    public void Small_words_sort_as_a_naive_sort(string word) => AssertSais(System.Text.Encoding.ASCII.GetBytes(word));

    [Fact]
    public void Random_texts_over_small_and_full_alphabets_sort_as_a_naive_sort()
    {
        var rng = new Random(21);
        foreach (var alphabet in new[] { 2, 3, 4, 26, 256 })
            for (var trial = 0; trial < 60; trial++)
            {
                var text = new byte[rng.Next(0, 400)];
                for (var i = 0; i < text.Length; i++) text[i] = (byte)rng.Next(alphabet);
                AssertSais(text);
            }
    }

    [Fact]
    public void All_equal_periodic_and_fibonacci_texts_sort_as_a_naive_sort()
    {
        foreach (var n in new[] { 1, 2, 3, 7, 64, 1000, 3001 }) AssertSais(Enumerable.Repeat((byte)'x', n).ToArray());
        foreach (var period in new[] { "ab", "abc", "aab", "abb", "abcabd", "\u00ff\u0000" })
            foreach (var n in new[] { 5, 100, 2049 })
                AssertSais(Enumerable.Range(0, n).Select(i => (byte)period[i % period.Length]).ToArray());
        // Fibonacci words recurse deepest (every level's names repeat).
        string a = "b", b = "a";
        while (b.Length < 5000) (a, b) = (b, b + a);
        AssertSais(System.Text.Encoding.ASCII.GetBytes(b));
    }

    [Fact]
    public void Documents_with_separators_and_repeated_paragraphs_sort_as_a_naive_sort()
    {
        var rng = new Random(5);
        var paragraph = System.Text.Encoding.UTF8.GetBytes("Licensed under the Apache License, Version 2.0 — ünïcödé text. ");
        var text = new List<byte>();
        for (var d = 0; d < 40; d++)
        {
            for (var i = 0; i < rng.Next(0, 50); i++) text.Add((byte)rng.Next('a', 'e'));
            if (d % 3 == 0) text.AddRange(paragraph);
            text.Add(0xFF);
        }
        AssertSais([.. text]);
    }

    [Fact]
    public void Integer_alphabets_sort_as_a_naive_sort_and_out_of_range_symbols_are_refused()
    {
        var rng = new Random(3);
        for (var trial = 0; trial < 40; trial++)
        {
            var alphabet = rng.Next(1, 70000);
            var text = new int[rng.Next(0, 300)];
            for (var i = 0; i < text.Length; i++) text[i] = rng.Next(Math.Min(alphabet, trial % 2 == 0 ? 3 : alphabet));
            var sa = new int[text.Length];
            SuffixArray.Build(text, sa, alphabet);
            Assert.Equal(Naive(text), sa);
        }
        Assert.Throws<ArgumentException>(() => SuffixArray.Build([0, 5], new int[2], 5));
        Assert.Throws<ArgumentException>(() => SuffixArray.Build("abc"u8, new int[2]));
    }
}
