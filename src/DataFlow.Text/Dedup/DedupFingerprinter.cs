using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Dedup;

/// <summary>
/// Turns a document into what dedup compares: its normalized form (lowercase base letters, words separated by
/// one space; punctuation, digits and diacritics gone), the XxHash128 of that form for exact dedup, and a
/// MinHash signature over word n-grams (or character n-grams for CJK text). Reuses its buffers: one instance
/// per thread, no allocation per shingle or per document once warm.
/// </summary>
public sealed class DedupFingerprinter
{
    private const ulong FnvOffset = 0xCBF29CE484222325UL;
    private const ulong FnvPrime = 0x100000001B3UL;
    private const ulong ShingleMul = 0x9E3779B97F4A7C15UL;

    private readonly MinHashOptions _options;
    private readonly MinHasher _hasher;
    private char[] _normalized = new char[4096];
    private ulong[] _shingles = new ulong[1024];
    private ulong[] _words = new ulong[1024];

    public DedupFingerprinter(MinHashOptions options, int vectorBits = 0)
    {
        _options = options.Validate();
        _hasher = new MinHasher(options.NumPerm, options.Seed, vectorBits);
    }

    public MinHashOptions Options => _options;

    /// <summary>The normalized text of the last <see cref="Compute"/> call (valid until the next call).</summary>
    public ReadOnlySpan<char> Normalized => _normalized.AsSpan(0, _normalizedLength);

    /// <summary>The shingle hashes of the last <see cref="Compute"/> call (repeats included; valid until the next call).</summary>
    public ReadOnlySpan<ulong> Shingles => _shingles.AsSpan(0, _shingleCount);

    private int _normalizedLength;
    private int _shingleCount;
    private int _wordCount;

    /// <summary>Normalizes and hashes <paramref name="text"/>; fills <paramref name="signature"/> (NumPerm values) when it is not empty.</summary>
    public Fingerprint Compute(ReadOnlySpan<char> text, Span<uint> signature, bool exact = true)
    {
        var (letters, cjk) = Normalize(text);
        // A text without letters hashes raw, so "2024" and "1999" stay distinct rather than both normalizing to "".
        var exactHash = !exact ? UInt128.Zero
            : XxHash128.HashToUInt128(MemoryMarshal.AsBytes(letters == 0 ? text : Normalized));
        if (letters == 0)
        {
            _shingleCount = 0;
            if (!signature.IsEmpty) signature[.._options.NumPerm].Fill(uint.MaxValue);
            return new Fingerprint(ShingleMode.Empty, 0, exactHash);
        }
        var mode = cjk >= _options.CjkShare * letters ? ShingleMode.Characters : ShingleMode.Words;
        _shingleCount = mode == ShingleMode.Words ? WordShingles() : CharacterShingles();
        if (!signature.IsEmpty) _hasher.Compute(Shingles, signature);
        return new Fingerprint(mode, _shingleCount, exactHash);
    }

    /// <summary>Exact-Jaccard helper for evaluation: the distinct shingle hashes of <paramref name="text"/>.</summary>
    public HashSet<ulong> ShingleSet(ReadOnlySpan<char> text)
    {
        Compute(text, Span<uint>.Empty, exact: false);
        return [.. Shingles];
    }

    /// <summary>
    /// One pass over the text: writes the normalized form and, at the same time, the FNV-1a hash of every word
    /// (so word shingling never rereads the text). Indexing is unchecked: the output buffer is at least as long as the text.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int Letters, int Cjk) Normalize(ReadOnlySpan<char> text)
    {
        if (_normalized.Length < text.Length) _normalized = new char[Math.Max(text.Length, _normalized.Length * 2)];
        ref var output = ref MemoryMarshal.GetArrayDataReference(_normalized);
        ref var input = ref MemoryMarshal.GetReference(text);
        var n = 0;
        var letters = 0;
        var cjk = 0;
        var words = 0;
        var pendingSpace = false;
        var h = FnvOffset;
        var wordLength = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var m = DedupCharTable.Normalize(Unsafe.Add(ref input, i));
            if (m == DedupCharTable.Separator)
            {
                if (wordLength == 0) continue;
                if (words == _words.Length) Array.Resize(ref _words, _words.Length * 2);
                _words[words++] = Fmix64(h ^ (ulong)wordLength);
                h = FnvOffset;
                wordLength = 0;
                pendingSpace = true;
                continue;
            }
            if (m == DedupCharTable.Dropped) continue;
            if (pendingSpace)
            {
                Unsafe.Add(ref output, n++) = ' ';
                pendingSpace = false;
            }
            Unsafe.Add(ref output, n++) = m;
            h = (h ^ m) * FnvPrime;
            wordLength++;
            letters++;
            if (m >= '\u1100' && DedupCharTable.IsCjk(m)) cjk++;
        }
        if (wordLength > 0)
        {
            if (words == _words.Length) Array.Resize(ref _words, _words.Length * 2);
            _words[words++] = Fmix64(h ^ (ulong)wordLength);
        }
        _normalizedLength = n;
        _wordCount = words;
        return (letters, cjk);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WordShingles()
    {
        // Word hashes come from Normalize; a shingle combines n consecutive ones.
        var wordCount = _wordCount;
        var n = _options.WordNgram;
        var count = Math.Max(1, wordCount - n + 1);
        EnsureShingleCapacity(count);
        if (wordCount < n)
        {
            _shingles[0] = Combine(_words.AsSpan(0, wordCount));
            return 1;
        }
        for (var i = 0; i < count; i++) _shingles[i] = Combine(_words.AsSpan(i, n));
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CharacterShingles()
    {
        // Character n-grams over the letters; word spaces carry no information in CJK text.
        var text = Normalized;
        if (_words.Length < text.Length) _words = new ulong[Math.Max(text.Length, _words.Length * 2)];
        var chars = 0;
        foreach (var c in text)
            if (c != ' ') _words[chars++] = c;
        var n = _options.CharNgram;
        var count = Math.Max(1, chars - n + 1);
        EnsureShingleCapacity(count);
        if (chars < n)
        {
            _shingles[0] = Combine(_words.AsSpan(0, chars));
            return 1;
        }
        for (var i = 0; i < count; i++) _shingles[i] = Combine(_words.AsSpan(i, n));
        return count;
    }

    private void EnsureShingleCapacity(int count)
    {
        if (_shingles.Length < count) _shingles = new ulong[Math.Max(count, _shingles.Length * 2)];
    }

    private static ulong Combine(ReadOnlySpan<ulong> parts)
    {
        var s = (ulong)parts.Length;
        foreach (var p in parts) s = s * ShingleMul + p;
        return Fmix64(s);
    }

    private static ulong Fmix64(ulong k)
    {
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return k;
    }
}
