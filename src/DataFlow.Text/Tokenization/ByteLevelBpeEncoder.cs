using System.Text;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// The byte-level BPE encoder of every vocabulary the project makes or loads (gpt2, cl100k_base, o200k_base, trained
/// and imported tokenizer.json). Text is cut at special tokens, split into pieces by a <see cref="PreTokenizerScanner"/>,
/// and each piece's UTF-8 bytes are merged pair by pair, lowest priority first and leftmost among equals, with a heap over
/// the piece's symbols. Two rules give the pair priorities: tiktoken's (any two adjacent tokens whose bytes join into a
/// token merge, ranked by that token's id) and Hugging Face's (only the listed merges, ranked by their order); both are
/// one table from a pair of ids to (priority, merged id). Pieces seen before come from a per-thread cache, so common
/// words cost one hash lookup and no allocation.
/// </summary>
public sealed class ByteLevelBpeEncoder : ITextTokenizer
{
    private readonly PreTokenizerScanner _scanner;
    private readonly int[] _byteIds;
    private readonly BpePairTable _pairs;
    private readonly Dictionary<string, int>? _wholeTokens;
    private readonly byte[]?[] _tokenBytes;
    private readonly string[] _specialTokens;
    private readonly int[] _specialIds;
    private readonly ThreadLocal<EncoderState> _state;

    private ByteLevelBpeEncoder(string name, PreTokenizerScanner scanner, int[] byteIds, BpePairTable pairs, Dictionary<string, int>? wholeTokens,
        byte[]?[] tokenBytes, IReadOnlyDictionary<string, int> specialTokens, int vocabSize, string endOfText, int? padId)
    {
        Name = name;
        _scanner = scanner;
        _byteIds = byteIds;
        _pairs = pairs;
        _wholeTokens = wholeTokens;
        _tokenBytes = tokenBytes;
        _specialTokens = [.. specialTokens.Keys];
        _specialIds = [.. specialTokens.Values];
        VocabSize = vocabSize;
        EndOfText = endOfText;
        EndOfTextId = specialTokens.TryGetValue(endOfText, out var id) ? id
            : throw new InvalidOperationException($"{name}: tokenizer has no {endOfText} token to separate documents");
        PadId = padId;
        _state = new ThreadLocal<EncoderState>(() => new EncoderState());
    }

    public string Name { get; }
    public int VocabSize { get; }
    public int EndOfTextId { get; }
    public string EndOfText { get; }
    public int? PadId { get; }

    /// <summary>True for tiktoken's rule (pairs ranked by the id of the token they join into), false for the listed merges in order.</summary>
    public bool MergesByRank => _wholeTokens is not null;

    /// <summary>The pre-tokenizer pattern pieces are split by.</summary>
    public string PreTokenizerPattern => _scanner.Pattern;

    /// <summary>
    /// tiktoken's rule over <paramref name="ranks"/> (token bytes by id): adjacent tokens merge when their bytes join into a
    /// token, lowest id first; a piece that is itself a token is that token. This is how tiktoken encodes gpt2, cl100k_base
    /// and o200k_base.
    /// </summary>
    public static ByteLevelBpeEncoder FromRanks(string name, IReadOnlyList<byte[]> ranks, IReadOnlyDictionary<string, int> specialTokens,
        string preTokenizerPattern, string endOfText = SpecialTokens.EndOfText)
    {
        // Byte strings as Latin-1 strings, so that a token's halves are looked up as spans without allocating.
        var idOf = new Dictionary<string, int>(ranks.Count, StringComparer.Ordinal);
        for (var r = 0; r < ranks.Count; r++) idOf.TryAdd(Latin1(ranks[r]), r);
        var lookup = idOf.GetAlternateLookup<ReadOnlySpan<char>>();
        var pairs = new List<(long, long)>();
        foreach (var (token, id) in idOf)
        {
            for (var cut = 1; cut < token.Length; cut++)
            {
                if (lookup.TryGetValue(token.AsSpan(0, cut), out var left) && lookup.TryGetValue(token.AsSpan(cut), out var right))
                    pairs.Add((BpePairTable.Key(left, right), BpePairTable.Value(id, id)));
            }
        }
        var byteIds = new int[256];
        for (var b = 0; b < 256; b++)
        {
            byteIds[b] = idOf.TryGetValue(((char)b).ToString(), out var id) ? id
                : throw new ArgumentException($"{name}: no token for byte 0x{b:X2}, so some texts could not be encoded", nameof(ranks));
        }
        return new ByteLevelBpeEncoder(name, PreTokenizerScanner.For(preTokenizerPattern), byteIds, new BpePairTable(pairs), idOf, TokenBytes(ranks.Select((t, i) => (t, i)), specialTokens),
            specialTokens, VocabSizeOf(ranks.Count - 1, specialTokens), endOfText, PadIdOf(specialTokens));
    }

    /// <summary>Hugging Face's rule over <paramref name="model"/>'s merges: only listed merges apply, earliest in the list first.</summary>
    public static ByteLevelBpeEncoder FromMerges(string name, ByteLevelBpeModel model, string endOfText = SpecialTokens.EndOfText)
    {
        var pairs = new List<(long, long)>(model.Merges.Count);
        for (var m = 0; m < model.Merges.Count; m++)
        {
            var (left, right) = model.Merges[m];
            if (!model.Vocabulary.TryGetValue(left, out var leftId) || !model.Vocabulary.TryGetValue(right, out var rightId)
                || !model.Vocabulary.TryGetValue(left + right, out var merged))
                throw new ArgumentException($"{name}: merge {m} '{left} {right}' joins tokens that are not all in the vocabulary", nameof(model));
            pairs.Add((BpePairTable.Key(leftId, rightId), BpePairTable.Value(m, merged))); // a repeated merge keeps its first place
        }
        var byteIds = new int[256];
        for (var b = 0; b < 256; b++) byteIds[b] = model.Vocabulary[ByteLevelAlphabet.CharOf((byte)b).ToString()];
        return new ByteLevelBpeEncoder(name, PreTokenizerScanner.For(model.PreTokenizerPattern), byteIds, new BpePairTable(pairs), wholeTokens: null,
            TokenBytes(model.Vocabulary.Select(t => (ByteLevelAlphabet.Decode(t.Key), t.Value)), model.SpecialTokens),
            model.SpecialTokens, model.VocabSize, endOfText, PadIdOf(model.SpecialTokens));
    }

    public void Encode(string text, List<int> ids)
    {
        var state = _state.Value!;
        var span = text.AsSpan();
        var start = 0;
        while (NextSpecial(span, start) is ({ } at, { } special))
        {
            EncodeOrdinaryText(state, span[start..at], ids);
            ids.Add(_specialIds[special]);
            start = at + _specialTokens[special].Length;
        }
        EncodeOrdinaryText(state, span[start..], ids);
    }

    public void EncodeOrdinary(string text, List<int> ids)
    {
        // Cut every occurrence of a special-token string after its first character and encode the pieces separately
        // (as the stage always has): no piece holds a whole special string, and the pieces concatenate back to the text.
        var state = _state.Value!;
        var cuts = state.Cuts;
        cuts.Clear();
        foreach (var special in _specialTokens)
        {
            if (special.Length < 2) continue;
            for (var at = text.IndexOf(special, StringComparison.Ordinal); at >= 0; at = text.IndexOf(special, at + 1, StringComparison.Ordinal))
                cuts.Add(at + 1);
        }
        if (cuts.Count > 1) cuts.Sort();
        var start = 0;
        foreach (var cut in cuts)
        {
            if (cut <= start) continue;
            EncodeOrdinaryText(state, text.AsSpan(start, cut - start), ids);
            start = cut;
        }
        EncodeOrdinaryText(state, text.AsSpan(start), ids);
    }

    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
            if ((uint)id < (uint)_tokenBytes.Length && _tokenBytes[id] is { } token) bytes.AddRange(token);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>The leftmost special token in <paramref name="text"/> at or after <paramref name="start"/> (the first listed wins a tie).</summary>
    private (int? At, int? Special) NextSpecial(ReadOnlySpan<char> text, int start)
    {
        int? bestAt = null, best = null;
        for (var s = 0; s < _specialTokens.Length; s++)
        {
            if (_specialTokens[s].Length == 0) continue; // an empty string would match everywhere and never advance
            var at = text[start..].IndexOf(_specialTokens[s], StringComparison.Ordinal);
            if (at >= 0 && (bestAt is null || start + at < bestAt))
            {
                bestAt = start + at;
                best = s;
            }
        }
        return (bestAt, best);
    }

    private void EncodeOrdinaryText(EncoderState state, ReadOnlySpan<char> text, List<int> ids)
    {
        if (text.IsEmpty) return;
        var count = _scanner.Split(text, ref state.Pieces);
        var pieces = state.Pieces;
        var cache = state.Cache;
        // A piece never has more ids than UTF-8 bytes, at most three per character.
        var output = state.Output(3 * text.Length);
        var written = 0;
        for (var p = 0; p < count; p++)
        {
            var piece = text.Slice(pieces[2 * p], pieces[2 * p + 1]);
            var hash = PieceCache.Hash(piece);
            if (cache.TryGet(piece, hash, out var cached))
            {
                if (cached.Length == 1) output[written++] = cached[0];
                else
                {
                    cached.CopyTo(output.AsSpan(written));
                    written += cached.Length;
                }
                continue;
            }
            var encoded = EncodePiece(state, piece, output.AsSpan(written));
            cache.Add(piece, hash, output.AsSpan(written, encoded));
            written += encoded;
        }
        ids.AddRange(output.AsSpan(0, written));
    }

    /// <summary>
    /// BPE over the UTF-8 bytes of one piece, written to <paramref name="destination"/>; returns how many ids. Symbols sit in a
    /// linked list, candidate merges in a min-heap keyed (priority, position), so a long piece costs n log n.
    /// </summary>
    private int EncodePiece(EncoderState state, ReadOnlySpan<char> piece, Span<int> destination)
    {
        state.Reserve(3 * piece.Length);
        var n = Utf8Bytes(piece, state.Bytes);
        if (_wholeTokens is not null)
        {
            // tiktoken looks the whole piece up before merging.
            var latin1 = state.Latin1.AsSpan(0, n);
            for (var i = 0; i < n; i++) latin1[i] = (char)state.Bytes[i];
            if (_wholeTokens.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(latin1, out var whole))
            {
                destination[0] = whole;
                return 1;
            }
        }
        var symbols = state.Symbols;
        var next = state.Next;
        var prev = state.Prev;
        for (var i = 0; i < n; i++)
        {
            symbols[i] = _byteIds[state.Bytes[i]];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        var heap = state.Heap;
        var heapCount = 0;
        for (var i = 0; i + 1 < n; i++)
            if (_pairs.TryGet(symbols[i], symbols[i + 1], out var priority, out _)) Push(heap, ref heapCount, Pair(priority, i));
        while (heapCount > 0)
        {
            var top = Pop(heap, ref heapCount);
            var at = (int)top;
            var right = next[at];
            // Stale entry: the symbol was merged away or its pair changed since it was pushed.
            if (symbols[at] < 0 || right < 0 || !_pairs.TryGet(symbols[at], symbols[right], out var priority, out var merged) || priority != (int)(top >> 32))
                continue;
            symbols[at] = merged;
            symbols[right] = -1;
            next[at] = next[right];
            if (next[at] >= 0) prev[next[at]] = at;
            if (prev[at] >= 0 && _pairs.TryGet(symbols[prev[at]], symbols[at], out var before, out _))
                Push(heap, ref heapCount, Pair(before, prev[at]));
            if (next[at] >= 0 && _pairs.TryGet(symbols[at], symbols[next[at]], out var after, out _))
                Push(heap, ref heapCount, Pair(after, at));
        }
        var count = 0;
        for (var i = 0; i >= 0; i = next[i]) destination[count++] = symbols[i];
        return count;
    }

    /// <summary>
    /// UTF-8 of <paramref name="text"/>, except that a lone surrogate becomes the three bytes of its code unit (WTF-8) rather
    /// than U+FFFD: what Microsoft.ML.Tokenizers wrote, so ids stay as they were. Valid text is plain UTF-8.
    /// </summary>
    private static int Utf8Bytes(ReadOnlySpan<char> text, byte[] bytes)
    {
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (c < 0x80) bytes[n++] = (byte)c;
            else if (c < 0x800)
            {
                bytes[n++] = (byte)(0xC0 | (c >> 6));
                bytes[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                c = char.ConvertToUtf32((char)c, text[++i]);
                bytes[n++] = (byte)(0xF0 | (c >> 18));
                bytes[n++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                bytes[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[n++] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                bytes[n++] = (byte)(0xE0 | (c >> 12));
                bytes[n++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[n++] = (byte)(0x80 | (c & 0x3F));
            }
        }
        return n;
    }

    private static void Push(long[] heap, ref int count, long item)
    {
        var i = count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[parent] <= item) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = item;
    }

    private static long Pop(long[] heap, ref int count)
    {
        var top = heap[0];
        var last = heap[--count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= last) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
        return top;
    }

    private static long Pair(int high, int low) => ((long)high << 32) | (uint)low;

    private static string Latin1(byte[] bytes) => string.Create(bytes.Length, bytes, static (chars, b) =>
    {
        for (var i = 0; i < b.Length; i++) chars[i] = (char)b[i];
    });

    private static byte[]?[] TokenBytes(IEnumerable<(byte[] Bytes, int Id)> tokens, IReadOnlyDictionary<string, int> specialTokens)
    {
        var list = tokens.ToList();
        var size = Math.Max(list.Count == 0 ? 0 : list.Max(t => t.Id), specialTokens.Count == 0 ? 0 : specialTokens.Values.Max()) + 1;
        var table = new byte[]?[size];
        foreach (var (bytes, id) in list) table[id] ??= bytes;
        foreach (var (text, id) in specialTokens) table[id] = Encoding.UTF8.GetBytes(text);
        return table;
    }

    private static int VocabSizeOf(int largestTokenId, IReadOnlyDictionary<string, int> specialTokens) =>
        Math.Max(largestTokenId, specialTokens.Count == 0 ? 0 : specialTokens.Values.Max()) + 1;

    private static int? PadIdOf(IReadOnlyDictionary<string, int> specialTokens) =>
        specialTokens.TryGetValue(SpecialTokens.Pad, out var pad) ? pad : null;

    /// <summary>One thread's cache and scratch buffers (an encoder is shared by the tasks of one process).</summary>
    private sealed class EncoderState
    {
        public readonly PieceCache Cache = new();
        public readonly List<int> Cuts = [];
        public int[] Pieces = new int[256];
        public byte[] Bytes = [];
        public char[] Latin1 = [];
        public int[] Symbols = [];
        public int[] Next = [];
        public int[] Prev = [];
        public long[] Heap = [];
        private int[] _output = new int[1024];

        public int[] Output(int size)
        {
            if (_output.Length < size) _output = new int[Math.Max(size, 2 * _output.Length)];
            return _output;
        }

        public void Reserve(int bytes)
        {
            if (Bytes.Length >= bytes) return;
            var size = Math.Max(bytes, 2 * Bytes.Length);
            Bytes = new byte[size];
            Latin1 = new char[size];
            Symbols = new int[size];
            Next = new int[size];
            Prev = new int[size];
            Heap = new long[3 * size]; // n - 1 initial pairs plus at most two pushes per merge
        }
    }
}
