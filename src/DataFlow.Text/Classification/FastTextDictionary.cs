using System.Text;

namespace DataFlow.Text.Classification;

/// <summary>
/// fastText's dictionary: words then labels with their counts, the FNV-1a hash fastText computes (bytes taken as
/// signed chars), char n-gram subwords between '&lt;' and '&gt;', hashed word n-grams, the prune index of quantized
/// models, and the tokenization of fastText's readWord. Tokens are UTF-8 bytes throughout, as in fastText.
/// Build one for training with <see cref="Add(ReadOnlySpan{byte})"/> and <see cref="Threshold"/>, or from counts.
/// </summary>
public sealed class FastTextDictionary
{
    /// <summary>The token fastText reads at the end of every line.</summary>
    public const string EndOfSentence = "</s>";

    private static ReadOnlySpan<byte> EosBytes => "</s>"u8;
    private const byte BeginOfWord = (byte)'<';
    private const byte EndOfWord = (byte)'>';
    private const ulong WordNgramMultiplier = 116049371;

    private readonly List<byte[]> words = [];
    private readonly List<long> counts = [];
    private readonly List<FastTextEntryType> types = [];
    private readonly byte[] labelPrefix;
    private int[] table = [];
    private int[][]? subwords;
    private string[] labels = [];
    private Dictionary<int, int>? pruneIndex;

    [ThreadStatic] private static List<int>? wordHashesScratch;
    [ThreadStatic] private static byte[]? boundedScratch;

    /// <summary>An empty dictionary to fill with <see cref="Add(ReadOnlySpan{byte})"/>, then <see cref="Threshold"/>.</summary>
    public FastTextDictionary(FastTextArgs args)
    {
        Args = args;
        labelPrefix = Encoding.UTF8.GetBytes(args.LabelPrefix);
        table = NewTable(1024);
    }

    /// <summary>A dictionary from final entries (all words, then all labels, as fastText orders them).</summary>
    public FastTextDictionary(FastTextArgs args, IEnumerable<FastTextEntry> entries, long tokenCount) : this(args)
    {
        foreach (var e in entries)
        {
            words.Add(Encoding.UTF8.GetBytes(e.Word));
            counts.Add(e.Count);
            types.Add(e.Type);
        }
        TokenCount = tokenCount;
        Reindex();
    }

    public FastTextArgs Args { get; }

    /// <summary>Number of word entries (they come first: ids 0 .. WordCount-1).</summary>
    public int WordCount { get; private set; }

    /// <summary>Number of label entries (ids WordCount .. Size-1; label index = id - WordCount).</summary>
    public int LabelCount { get; private set; }

    public int Size => words.Count;

    /// <summary>Tokens seen while counting (fastText's ntokens).</summary>
    public long TokenCount { get; private set; }

    /// <summary>True for a dictionary pruned by quantization with -cutoff: only the listed n-gram buckets keep rows.</summary>
    public bool IsPruned => PruneIndexSize >= 0;

    /// <summary>fastText's pruneidx_size: -1 when not pruned.</summary>
    public long PruneIndexSize { get; private set; } = -1;

    /// <summary>The labels as stored (with the prefix), by label index.</summary>
    public IReadOnlyList<string> Labels => labels;

    public IReadOnlyList<FastTextEntry> Entries =>
        Enumerable.Range(0, words.Count).Select(i => new FastTextEntry(Encoding.UTF8.GetString(words[i]), counts[i], types[i])).ToList();

    /// <summary>The counts of all entries of one type, in id order (label counts build the hierarchical-softmax tree).</summary>
    public long[] GetCounts(FastTextEntryType type) => Enumerable.Range(0, words.Count).Where(i => types[i] == type).Select(i => counts[i]).ToArray();

    public string GetWord(int id) => Encoding.UTF8.GetString(words[id]);

    public FastTextEntryType GetEntryType(int id) => types[id];

    /// <summary>The label with prefix, by label index (0 .. LabelCount-1).</summary>
    public string GetLabel(int labelIndex) =>
        labelIndex >= 0 && labelIndex < LabelCount ? labels[labelIndex] : throw new ArgumentOutOfRangeException(nameof(labelIndex), $"label index {labelIndex} is outside [0, {LabelCount})");

    /// <summary>fastText's FNV-1a: each byte is sign-extended (fastText hashed signed chars, and kept that for compatibility).</summary>
    public static uint Hash(ReadOnlySpan<byte> utf8)
    {
        uint h = 2166136261;
        foreach (var b in utf8)
        {
            h ^= (uint)(sbyte)b;
            h *= 16777619;
        }
        return h;
    }

    public int GetId(string word) => GetId(Encoding.UTF8.GetBytes(word));

    /// <summary>The entry id of a token, or -1.</summary>
    public int GetId(ReadOnlySpan<byte> utf8) => table[Find(utf8, Hash(utf8))];

    /// <summary>The input-matrix rows of a word id: the word itself, then its char n-grams (when maxn &gt; 0).</summary>
    public ReadOnlySpan<int> GetSubwords(int id) => subwords is null ? new[] { id } : subwords[id];

    /// <summary>Counts one token, as fastText does while reading training text.</summary>
    public void Add(ReadOnlySpan<byte> utf8)
    {
        TokenCount++;
        var slot = Find(utf8, Hash(utf8));
        if (table[slot] >= 0)
        {
            counts[table[slot]]++;
            return;
        }
        table[slot] = words.Count;
        words.Add(utf8.ToArray());
        counts.Add(1);
        types.Add(TypeOf(utf8));
        if (words.Count > table.Length * 7L / 10) RebuildTable(table.Length * 2);
    }

    public void Add(string word) => Add(Encoding.UTF8.GetBytes(word));

    /// <summary>
    /// Keeps words seen at least <paramref name="minCount"/> times and labels seen at least <paramref name="minCountLabel"/>
    /// times, ordered words first then labels, each by count descending (fastText's threshold; ties keep first-seen order).
    /// </summary>
    public void Threshold(long minCount, long minCountLabel)
    {
        var order = Enumerable.Range(0, words.Count)
            .Where(i => types[i] == FastTextEntryType.Word ? counts[i] >= minCount : counts[i] >= minCountLabel)
            .OrderBy(i => types[i]).ThenByDescending(i => counts[i]).ThenBy(i => i).ToArray();
        var (w, c, t) = (order.Select(i => words[i]).ToList(), order.Select(i => counts[i]).ToList(), order.Select(i => types[i]).ToList());
        words.Clear(); words.AddRange(w);
        counts.Clear(); counts.AddRange(c);
        types.Clear(); types.AddRange(t);
        Reindex();
    }

    /// <summary>
    /// Reads one line as fastText's getLine does (tokens split on ' ', \n, \r, \t, \v, \f, \0; "&lt;/s&gt;" at the end
    /// when <paramref name="endOfLine"/>, as a newline gives it): input rows into <paramref name="wordIds"/> (words or
    /// their subwords, then word n-gram buckets), label indices into <paramref name="labelIds"/>. Returns the token count.
    /// </summary>
    public int GetLine(ReadOnlySpan<byte> utf8Line, List<int> wordIds, List<int> labelIds, bool endOfLine = true)
    {
        var hashes = wordHashesScratch ??= new List<int>(64);
        return GetLine(utf8Line, wordIds, labelIds, hashes, endOfLine);
    }

    internal int GetLine(ReadOnlySpan<byte> line, List<int> wordIds, List<int>? labelIds, List<int> hashes, bool endOfLine)
    {
        wordIds.Clear();
        labelIds?.Clear();
        hashes.Clear();
        var tokens = 0;
        var pos = 0;
        var stopped = false;
        while (true)
        {
            while (pos < line.Length && IsSpace(line[pos])) pos++;
            if (pos >= line.Length) break;
            var start = pos;
            while (pos < line.Length && !IsSpace(line[pos])) pos++;
            var token = line[start..pos];
            tokens++;
            AddToken(token, wordIds, labelIds, hashes);
            // A literal "</s>" ends the line for fastText too.
            if (token.SequenceEqual(EosBytes)) { stopped = true; break; }
        }
        if (!stopped && endOfLine)
        {
            tokens++;
            AddToken(EosBytes, wordIds, labelIds, hashes);
        }
        AddWordNgrams(wordIds, hashes);
        return tokens;
    }

    /// <summary>fastText's readWord separators.</summary>
    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\v' or (byte)'\f' or 0;

    private void AddToken(ReadOnlySpan<byte> token, List<int> wordIds, List<int>? labelIds, List<int> hashes)
    {
        var h = Hash(token);
        var id = table[Find(token, h)];
        var type = id < 0 ? TypeOf(token) : types[id];
        if (type == FastTextEntryType.Word)
        {
            AddSubwords(wordIds, token, id);
            hashes.Add((int)h);
        }
        else if (id >= 0)
        {
            labelIds?.Add(id - WordCount);
        }
    }

    private void AddSubwords(List<int> wordIds, ReadOnlySpan<byte> token, int id)
    {
        if (id >= 0)
        {
            if (subwords is null) wordIds.Add(id);
            else foreach (var s in subwords[id]) wordIds.Add(s);
            return;
        }
        if (Args.MaxN <= 0 || token.SequenceEqual(EosBytes)) return;
        var needed = token.Length + 2;
        var bounded = boundedScratch is { } b && b.Length >= needed ? b : boundedScratch = new byte[Math.Max(needed, 256)];
        bounded[0] = BeginOfWord;
        token.CopyTo(bounded.AsSpan(1));
        bounded[needed - 1] = EndOfWord;
        ComputeSubwords(bounded.AsSpan(0, needed), wordIds);
    }

    /// <summary>Char n-grams of "&lt;word&gt;" of minn..maxn UTF-8 characters (not the lone boundary marks), hashed into buckets.</summary>
    private void ComputeSubwords(ReadOnlySpan<byte> word, List<int> ids)
    {
        var bucket = (uint)Args.Bucket;
        for (var i = 0; i < word.Length; i++)
        {
            if ((word[i] & 0xC0) == 0x80) continue;
            uint h = 2166136261;
            var j = i;
            for (var n = 1; j < word.Length && n <= Args.MaxN; n++)
            {
                // One UTF-8 character: its lead byte and continuation bytes; the hash extends the previous n-gram's.
                do
                {
                    h = (h ^ (uint)(sbyte)word[j]) * 16777619;
                    j++;
                } while (j < word.Length && (word[j] & 0xC0) == 0x80);
                if (n >= Args.MinN && !(n == 1 && (i == 0 || j == word.Length)))
                    PushHash(ids, (int)(h % bucket));
            }
        }
    }

    /// <summary>Appends the word n-gram buckets (2 .. wordNgrams words) of a line's word hashes, as fastText's addWordNgrams.</summary>
    internal void AddWordNgrams(List<int> ids, List<int> hashes)
    {
        var n = Args.WordNgrams;
        if (n <= 1 || Args.Bucket <= 0) return;
        var bucket = (ulong)Args.Bucket;
        var count = hashes.Count;
        for (var i = 0; i < count; i++)
        {
            // fastText keeps word hashes as int32 and widens them to uint64 with sign extension.
            var h = (ulong)(long)hashes[i];
            for (var j = i + 1; j < count && j < i + n; j++)
            {
                h = h * WordNgramMultiplier + (ulong)(long)hashes[j];
                PushHash(ids, (int)(h % bucket));
            }
        }
    }

    private void PushHash(List<int> ids, int bucketId)
    {
        if (PruneIndexSize == 0 || bucketId < 0) return;
        if (pruneIndex is not null)
        {
            if (!pruneIndex.TryGetValue(bucketId, out bucketId)) return;
        }
        ids.Add(WordCount + bucketId);
    }

    private FastTextEntryType TypeOf(ReadOnlySpan<byte> token) =>
        token.StartsWith(labelPrefix) ? FastTextEntryType.Label : FastTextEntryType.Word;

    private int Find(ReadOnlySpan<byte> token, uint h)
    {
        var size = (uint)table.Length;
        var slot = (int)(h % size);
        while (table[slot] != -1 && !words[table[slot]].AsSpan().SequenceEqual(token))
            slot = (int)((slot + 1) % size);
        return slot;
    }

    private static int[] NewTable(int size)
    {
        var t = new int[size];
        Array.Fill(t, -1);
        return t;
    }

    private void RebuildTable(int size)
    {
        table = NewTable(size);
        for (var i = 0; i < words.Count; i++) table[Find(words[i], Hash(words[i]))] = i;
    }

    /// <summary>After the entries changed: counts per type, lookup table, subwords, label strings.</summary>
    private void Reindex()
    {
        WordCount = types.Count(t => t == FastTextEntryType.Word);
        LabelCount = words.Count - WordCount;
        for (var i = 0; i < words.Count; i++)
        {
            if (types[i] != (i < WordCount ? FastTextEntryType.Word : FastTextEntryType.Label))
                throw new ArgumentException($"dictionary entry {i} ('{GetWord(i)}'): all words must come before all labels");
        }
        RebuildTable(Math.Max(16, (int)Math.Ceiling(words.Count / 0.7)) + 1);
        InitSubwords();
        labels = Enumerable.Range(WordCount, LabelCount).Select(GetWord).ToArray();
    }

    private void InitSubwords()
    {
        if (Args.MaxN <= 0)
        {
            subwords = null;
            return;
        }
        subwords = new int[words.Count][];
        var list = new List<int>();
        for (var i = 0; i < words.Count; i++)
        {
            list.Clear();
            list.Add(i);
            if (!words[i].AsSpan().SequenceEqual(EosBytes))
            {
                var bounded = new byte[words[i].Length + 2];
                bounded[0] = BeginOfWord;
                words[i].CopyTo(bounded, 1);
                bounded[^1] = EndOfWord;
                ComputeSubwords(bounded, list);
            }
            subwords[i] = list.ToArray();
        }
    }

    /// <summary>Reads the dictionary section of a .bin / .ftz (fastText's Dictionary::load).</summary>
    public static FastTextDictionary Read(BinaryReader reader, FastTextArgs args)
    {
        var size = reader.ReadInt32();
        var nwords = reader.ReadInt32();
        var nlabels = reader.ReadInt32();
        var ntokens = reader.ReadInt64();
        var pruneSize = reader.ReadInt64();
        if (size < 0 || nwords < 0 || nlabels < 0 || size != nwords + nlabels)
            throw new InvalidDataException($"dictionary header is inconsistent: size {size}, words {nwords}, labels {nlabels}");
        if (pruneSize < -1 || pruneSize > int.MaxValue)
            throw new InvalidDataException($"dictionary prune index size {pruneSize} is out of range");
        var dict = new FastTextDictionary(args) { TokenCount = ntokens };
        var buffer = new List<byte>(32);
        for (var i = 0; i < size; i++)
        {
            buffer.Clear();
            byte b;
            while ((b = reader.ReadByte()) != 0) buffer.Add(b);
            dict.words.Add(buffer.ToArray());
            dict.counts.Add(reader.ReadInt64());
            var type = reader.ReadByte();
            if (type > 1) throw new InvalidDataException($"dictionary entry {i} has entry type {type} (expected 0 = word or 1 = label)");
            dict.types.Add((FastTextEntryType)type);
        }
        dict.PruneIndexSize = pruneSize;
        if (pruneSize >= 0)
        {
            dict.pruneIndex = new Dictionary<int, int>((int)pruneSize);
            for (var i = 0; i < pruneSize; i++)
            {
                var from = reader.ReadInt32();
                dict.pruneIndex[from] = reader.ReadInt32();
            }
        }
        try { dict.Reindex(); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message, e); }
        if (dict.WordCount != nwords) throw new InvalidDataException($"dictionary says {nwords} words but its entries hold {dict.WordCount}");
        return dict;
    }

    /// <summary>Writes the dictionary section of a .bin / .ftz (fastText's Dictionary::save).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(words.Count);
        writer.Write(WordCount);
        writer.Write(LabelCount);
        writer.Write(TokenCount);
        writer.Write(PruneIndexSize);
        for (var i = 0; i < words.Count; i++)
        {
            writer.Write(words[i]);
            writer.Write((byte)0);
            writer.Write(counts[i]);
            writer.Write((byte)types[i]);
        }
        if (pruneIndex is null) return;
        foreach (var (from, to) in pruneIndex)
        {
            writer.Write(from);
            writer.Write(to);
        }
    }
}
