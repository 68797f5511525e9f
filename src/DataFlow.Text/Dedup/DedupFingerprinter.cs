using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace DataFlow.Text.Dedup;

/// <summary>
/// Turns a document into what dedup compares: the XxHash128 for exact dedup (of the text as written, or of its
/// normalized form), and a MinHash signature over n-grams of tokens. Tokens are the normalized words of spaced
/// scripts (lowercase, accents folded, marks kept, every number one '0', datatrove's norm_numbers) and single
/// letters (with their marks) of scripts written without spaces, so Chinese, Japanese, Thai, Lao, Khmer and
/// Myanmar are shingled by character even inside mostly-English text; a text mostly in those scripts is shingled
/// letter by letter throughout (<see cref="ShingleMode.Characters"/>). Reuses its buffers: one instance per thread,
/// no allocation per shingle or per document once warm.
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
    private ulong[] _spans = new ulong[1024];

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

    /// <summary>
    /// The tokens of the last <see cref="Compute"/> call, as text (for tests and evaluation; allocates): words and
    /// unspaced letters. In <see cref="ShingleMode.Characters"/> mode shingles split the words further into letters.
    /// </summary>
    public IReadOnlyList<string> Tokens =>
        [.. _spans.Take(_tokenCount).Select(s => new string(_normalized, (int)(s >> 32), (int)(uint)s))];

    private int _normalizedLength;
    private int _shingleCount;
    private int _wordCount;
    private int _tokenCount;

    /// <summary>Normalizes and hashes <paramref name="text"/>; fills <paramref name="signature"/> (NumPerm values) when it is not empty.</summary>
    public Fingerprint Compute(ReadOnlySpan<char> text, Span<uint> signature, ExactMode exact = ExactMode.Written)
    {
        var (letters, unspaced) = Normalize(text);
        // A normalized text without letters hashes raw, so "2024" and "1999" stay distinct rather than both normalizing to "0".
        var exactHash = exact switch
        {
            ExactMode.Written => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(text)),
            ExactMode.Normalized => XxHash128.HashToUInt128(MemoryMarshal.AsBytes(letters == 0 ? text : Normalized)),
            _ => UInt128.Zero,
        };
        if (letters == 0)
        {
            _shingleCount = 0;
            if (!signature.IsEmpty) signature[.._options.NumPerm].Fill(uint.MaxValue);
            return new Fingerprint(ShingleMode.Empty, 0, exactHash);
        }
        var mode = unspaced >= _options.CjkShare * letters ? ShingleMode.Characters : ShingleMode.Words;
        if (mode == ShingleMode.Characters) SplitWordsIntoLetters();
        _shingleCount = Shingle(mode == ShingleMode.Words ? _options.WordNgram : _options.CharNgram);
        if (!signature.IsEmpty) _hasher.Compute(Shingles, signature);
        return new Fingerprint(mode, _shingleCount, exactHash);
    }

    /// <summary>Exact-Jaccard helper for evaluation: the distinct shingle hashes of <paramref name="text"/>.</summary>
    public HashSet<ulong> ShingleSet(ReadOnlySpan<char> text)
    {
        Compute(text, Span<uint>.Empty, ExactMode.Off);
        return [.. Shingles];
    }

    /// <summary>The hash of one shingle made of <paramref name="tokens"/> (what <see cref="Shingles"/> holds for it).</summary>
    public static ulong ShingleHash(IEnumerable<string> tokens)
    {
        var hashes = tokens.Select(t =>
        {
            var h = FnvOffset;
            foreach (var c in t) h = (h ^ c) * FnvPrime;
            return Fmix64(h ^ (ulong)t.Length);
        }).ToArray();
        return Combine(hashes);
    }

    private enum Token { None, Word, Unspaced }

    /// <summary>
    /// One pass over the text: writes the normalized form and, at the same time, the FNV-1a hash and span of every
    /// token (so shingling never rereads the text). Indexing into the output is unchecked: it is at least as long as the text.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (int Letters, int Unspaced) Normalize(ReadOnlySpan<char> text)
    {
        if (_normalized.Length < text.Length) _normalized = new char[Math.Max(text.Length, _normalized.Length * 2)];
        ref var output = ref MemoryMarshal.GetArrayDataReference(_normalized);
        ref var input = ref MemoryMarshal.GetReference(text);
        var n = 0;
        var letters = 0;
        var unspaced = 0;
        _wordCount = 0;
        var pendingSpace = false;
        var h = FnvOffset;
        var start = 0;
        var token = Token.None;
        var lastDigit = false;
        var asciiFrom = 0;
        ref var table = ref DedupCharTable.FirstEntry;
        for (var i = 0; i < text.Length; i++)
        {
            if (AsciiScan && i >= asciiFrom && !lastDigit && token != Token.Unspaced && text.Length - i >= AsciiBlock && Unsafe.Add(ref input, i) < 0x80)
            {
                // ASCII letters and separators, 32 units at a time (the bulk of web text): see ScanAscii.
                if (_words.Length - _wordCount < AsciiBlock + 1) GrowTokens();
                var scan = new ScanState(h, n, start, _wordCount, letters, token == Token.Word, pendingSpace);
                var from = i;
                i = ScanAscii(text, i, ref output, _words, _spans, ref scan);
                // Text that leaves ASCII every few units (mixed scripts, many digits) takes the general path for a block.
                if (i - from < 8) asciiFrom = i + AsciiBlock;
                h = scan.Hash;
                n = scan.Written;
                start = scan.Start;
                _wordCount = scan.Words;
                letters = scan.Letters;
                token = scan.InWord ? Token.Word : Token.None;
                pendingSpace = scan.PendingSpace;
                if (i == text.Length) break;
            }
            if (token == Token.Word)
            {
                // The common case, letters inside a word: a tight loop of its own (a lookup, a store, the FNV step),
                // so its few variables stay in registers rather than in the stack slots the rare paths below need.
                var j = i;
                var hash = h;
                var written = n;
                while (j < text.Length)
                {
                    var e = Unsafe.Add(ref table, Unsafe.Add(ref input, j));
                    if (e >> 16 != (uint)DedupCharClass.Letter) break;
                    Unsafe.Add(ref output, written++) = (char)e;
                    hash = (hash ^ (ushort)e) * FnvPrime;
                    j++;
                }
                if (j != i)
                {
                    letters += j - i;
                    lastDigit = false;
                    h = hash;
                    n = written;
                    i = j;
                    if (i == text.Length) break;
                }
                // The next most common case, a word ended by separators (spaces, punctuation) and a letter after
                // them: what the general path below does for it, in one step. After a digit, '.' and ',' may
                // continue the number, so that case stays below.
                if (!lastDigit && Unsafe.Add(ref table, Unsafe.Add(ref input, i)) >> 16 == (uint)DedupCharClass.Separator)
                {
                    if (_wordCount == _words.Length) GrowTokens();
                    _words[_wordCount] = Fmix64(h ^ (ulong)(n - start));
                    _spans[_wordCount++] = ((ulong)start << 32) | (uint)(n - start);
                    h = FnvOffset;
                    token = Token.None;
                    pendingSpace = true;
                    // Separators and dropped units between tokens change nothing.
                    var k = i + 1;
                    uint next = 0;
                    while (k < text.Length)
                    {
                        next = Unsafe.Add(ref table, Unsafe.Add(ref input, k));
                        if (next >> 16 is not ((uint)DedupCharClass.Separator or (uint)DedupCharClass.Dropped)) break;
                        k++;
                    }
                    if (k == text.Length) break;
                    if (next >> 16 == (uint)DedupCharClass.Letter)
                    {
                        // A word begins: the space that stands for the separators, then its first letter.
                        Unsafe.Add(ref output, n++) = ' ';
                        pendingSpace = false;
                        start = n;
                        token = Token.Word;
                        letters++;
                        Unsafe.Add(ref output, n++) = (char)next;
                        h = (FnvOffset ^ (ushort)next) * FnvPrime;
                    }
                    // Otherwise the unit at k takes the general path (next iteration).
                    i = k - (next >> 16 == (uint)DedupCharClass.Letter ? 0 : 1);
                    continue;
                }
            }
            var c = Unsafe.Add(ref input, i);
            var entry = Unsafe.Add(ref table, c);
            var cls = (DedupCharClass)(entry >> 16);
            var m = (char)entry;
            var units = 1;
            if (cls == DedupCharClass.HighSurrogate)
            {
                cls = DedupCharClass.Separator;
                if (i + 1 < text.Length && char.IsLowSurrogate(Unsafe.Add(ref input, i + 1)) && char.IsLetter(text.Slice(i, 2).ToString(), 0))
                {
                    cls = DedupCharTable.IsUnspaced(char.ConvertToUtf32(c, Unsafe.Add(ref input, i + 1))) ? DedupCharClass.Unspaced : DedupCharClass.Letter;
                    units = 2;
                }
            }
            bool end;
            var begin = Token.None;
            switch (cls)
            {
                case DedupCharClass.Dropped:
                    continue;
                case DedupCharClass.Separator:
                    // 3.14 and 1,000 are one number, as in datatrove's NUMBERS_PATTERN.
                    if (lastDigit && c is '.' or ',' or '\u066B' or '\u060C' && i + 1 < text.Length
                        && DedupCharTable.ClassOf(Unsafe.Add(ref input, i + 1)) == DedupCharClass.Digit)
                        continue;
                    if (token != Token.None) pendingSpace = true;
                    end = true;
                    break;
                case DedupCharClass.Mark:
                    end = false;
                    if (token == Token.None) begin = Token.Word;
                    break;
                case DedupCharClass.Digit:
                    if (lastDigit) continue;
                    end = token == Token.Unspaced;
                    if (token != Token.Word) begin = Token.Word;
                    break;
                case DedupCharClass.Letter:
                    letters++;
                    end = token == Token.Unspaced;
                    if (token != Token.Word) begin = Token.Word;
                    break;
                default: // Unspaced: a token of its own
                    letters++;
                    unspaced++;
                    end = true;
                    begin = Token.Unspaced;
                    break;
            }
            // Token boundaries written out here rather than in helpers: locals passed by ref would leave registers.
            if (end && token != Token.None)
            {
                if (_wordCount == _words.Length) GrowTokens();
                _words[_wordCount] = Fmix64(h ^ (ulong)(n - start));
                _spans[_wordCount++] = ((ulong)start << 32) | (uint)(n - start);
                h = FnvOffset;
                token = Token.None;
            }
            if (cls == DedupCharClass.Separator)
            {
                lastDigit = false;
                continue;
            }
            if (begin != Token.None)
            {
                if (pendingSpace)
                {
                    Unsafe.Add(ref output, n++) = ' ';
                    pendingSpace = false;
                }
                start = n;
                token = begin;
            }
            lastDigit = cls == DedupCharClass.Digit;
            if (units == 2)
            {
                Unsafe.Add(ref output, n++) = c;
                h = (h ^ c) * FnvPrime;
                m = Unsafe.Add(ref input, ++i);
            }
            Unsafe.Add(ref output, n++) = m;
            h = (h ^ m) * FnvPrime;
        }
        if (token != Token.None)
        {
            if (_wordCount == _words.Length) GrowTokens();
            _words[_wordCount] = Fmix64(h ^ (ulong)(n - start));
            _spans[_wordCount++] = ((ulong)start << 32) | (uint)(n - start);
        }
        _normalizedLength = n;
        _tokenCount = _wordCount;
        return (letters, unspaced);
    }

    private const int AsciiBlock = 32;

    /// <summary>Whether <see cref="ScanAscii"/> runs: 256-bit vectors are accelerated and the table classes ASCII as it assumes.</summary>
    private static readonly bool AsciiScan = Vector256.IsHardwareAccelerated && DedupCharTable.AsciiIsLettersDigitsSeparators;

    /// <summary>The state of <see cref="Normalize"/> that <see cref="ScanAscii"/> carries on.</summary>
    private record struct ScanState(ulong Hash, int Written, int Start, int Words, int Letters, bool InWord, bool PendingSpace);

    /// <summary>
    /// <see cref="Normalize"/> for ASCII letters and separators, from <paramref name="i"/> in blocks of 32 units up
    /// to the first digit or non-ASCII unit (returned), the last whole block, or a full token array, with the same
    /// output, word hashes and spans. One vector compare per block classifies its units into bit masks (an ASCII
    /// unit is a letter, a digit or a separator, <see cref="DedupCharTable"/> checks that); words are then found
    /// with bit scans, so the per-unit work is the FNV step and the lowercase store, and a word costs one branch
    /// misprediction at most instead of one per class change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ScanAscii(ReadOnlySpan<char> text, int i, ref char output, ulong[] words, ulong[] spans, ref ScanState state)
    {
        ref var input = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        var h = state.Hash;
        var n = state.Written;
        var start = state.Start;
        var wc = state.Words;
        var letterCount = state.Letters;
        var inWord = state.InWord;
        var pending = state.PendingSpace;
        while (text.Length - i >= AsciiBlock && words.Length - wc > AsciiBlock)
        {
            var units = Vector256.LoadUnsafe(ref input, (nuint)i);
            var units2 = Vector256.LoadUnsafe(ref input, (nuint)(i + 16));
            var letterMask = LetterBits(units) | LetterBits(units2) << 16;
            var stopMask = StopBits(units) | StopBits(units2) << 16;
            // Units before the first digit or non-ASCII unit (32 when there is none).
            var limit = BitOperations.TrailingZeroCount(stopMask | 1UL << AsciiBlock);
            var letters = letterMask & ((1UL << limit) - 1);
            var pos = 0;
            while (pos < limit)
            {
                if (inWord)
                {
                    // The letters from pos on continue the word (letters past limit are masked off, so run <= limit - pos).
                    var run = BitOperations.TrailingZeroCount(~(letters >> pos));
                    ref var unit = ref Unsafe.Add(ref input, i + pos);
                    for (var k = 0; k < run; k++)
                    {
                        var c = (char)(Unsafe.Add(ref unit, k) | 0x20);
                        Unsafe.Add(ref output, n++) = c;
                        h = (h ^ c) * FnvPrime;
                    }
                    pos += run;
                    letterCount += run;
                    if (pos == limit) break;
                    // A separator ends the word.
                    words[wc] = Fmix64(h ^ (ulong)(n - start));
                    spans[wc++] = ((ulong)start << 32) | (uint)(n - start);
                    h = FnvOffset;
                    inWord = false;
                    pending = true;
                }
                var rest = letters >> pos;
                if (rest == 0) break;
                // A word begins: the space that stands for the separators before it, then its letters (next round).
                pos += BitOperations.TrailingZeroCount(rest);
                if (pending)
                {
                    Unsafe.Add(ref output, n++) = ' ';
                    pending = false;
                }
                start = n;
                inWord = true;
            }
            i += limit;
            if (limit < AsciiBlock) break;
        }
        state = new ScanState(h, n, start, wc, letterCount, inWord, pending);
        return i;
    }

    /// <summary>Bit k set when unit k is an ASCII letter (its lowercase, unit | 0x20, is in a..z).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LetterBits(Vector256<ushort> units) =>
        Vector256.LessThan((units | Vector256.Create((ushort)0x20)) - Vector256.Create((ushort)'a'), Vector256.Create((ushort)26)).ExtractMostSignificantBits();

    /// <summary>Bit k set when unit k is a digit or not ASCII: where <see cref="ScanAscii"/> hands back to the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong StopBits(Vector256<ushort> units) =>
        (Vector256.GreaterThan(units, Vector256.Create((ushort)0x7F))
            | Vector256.LessThan(units - Vector256.Create((ushort)'0'), Vector256.Create((ushort)10))).ExtractMostSignificantBits();

    /// <summary>
    /// Character mode: every letter is a token, also inside the Latin words of a mostly-Chinese text (marks stay with
    /// their letter, a number stays one '0', a surrogate pair is one letter), so an edited option name moves as few
    /// shingles as an edited ideograph. Token hashes are computed as in <see cref="Normalize"/>: a Han character
    /// hashes alike in both modes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SplitWordsIntoLetters()
    {
        var text = Normalized;
        while (_words.Length < text.Length + 1) GrowTokens(); // grows the spans with it: the next document's words index both
        var count = 0;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c == ' ') { i++; continue; }
            var h = (FnvOffset ^ c) * FnvPrime;
            var length = 1;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length)
            {
                h = (h ^ text[i + 1]) * FnvPrime;
                length = 2;
            }
            while (i + length < text.Length && DedupCharTable.ClassOf(text[i + length]) == DedupCharClass.Mark)
            {
                h = (h ^ text[i + length]) * FnvPrime;
                length++;
            }
            _words[count++] = Fmix64(h ^ (ulong)length);
            i += length;
        }
        _wordCount = count;
    }

    private void GrowTokens()
    {
        Array.Resize(ref _words, _words.Length * 2);
        Array.Resize(ref _spans, _words.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Shingle(int n)
    {
        // Token hashes come from Normalize; a shingle combines n consecutive ones; a text shorter than n is one shingle.
        var wordCount = _wordCount;
        var count = Math.Max(1, wordCount - n + 1);
        EnsureShingleCapacity(count);
        if (wordCount < n)
        {
            _shingles[0] = Combine(_words.AsSpan(0, wordCount));
            return 1;
        }
        var first = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // Eight shingles at a time, lane k combining words k..k+n-1: the same wrapping arithmetic as Combine.
            ref var words = ref MemoryMarshal.GetArrayDataReference(_words);
            ref var shingles = ref MemoryMarshal.GetArrayDataReference(_shingles);
            var mul = Vector512.Create(ShingleMul);
            for (; first + 8 <= count; first += 8)
            {
                var s = Vector512.Create((ulong)n);
                for (var j = 0; j < n; j++) s = s * mul + Vector512.LoadUnsafe(ref words, (nuint)(first + j));
                Fmix64(s).StoreUnsafe(ref shingles, (nuint)first);
            }
        }
        for (var i = first; i < count; i++) _shingles[i] = Combine(_words.AsSpan(i, n));
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fmix64(Vector512<ulong> k)
    {
        k ^= Vector512.ShiftRightLogical(k, 33);
        k *= Vector512.Create(0xFF51AFD7ED558CCDUL);
        k ^= Vector512.ShiftRightLogical(k, 33);
        k *= Vector512.Create(0xC4CEB9FE1A85EC53UL);
        k ^= Vector512.ShiftRightLogical(k, 33);
        return k;
    }

    private void EnsureShingleCapacity(int count)
    {
        if (_shingles.Length < count) _shingles = new ulong[Math.Max(count, _shingles.Length * 2)];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Combine(ReadOnlySpan<ulong> parts)
    {
        var s = (ulong)parts.Length;
        foreach (var p in parts) s = s * ShingleMul + p;
        return Fmix64(s);
    }

    // Inlined by force: Normalize is too large for the JIT's own inlining budget, and a call there ran in tier 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
