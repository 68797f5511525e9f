using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DataFlow.Text.Normalization;

namespace DataFlow.Text.Quality;

/// <summary>
/// The text under test with its words and lines found once and shared by every rule of a chain. Buffers are
/// reused from document to document, so a worker allocates nothing per word; one instance per thread.
/// Lines follow Python's str.splitlines on normalized text: split at '\n', no empty last line after a final '\n'.
/// How words are found depends on <see cref="Compat"/>: DataFlow's <see cref="WordSplitter"/> (ranges of the text)
/// or datatrove's NLTK tokens (ranges of <see cref="WordChars"/>, since a token such as `` is not in the text).
/// </summary>
public sealed class AnalyzedText(QualityCompat compat = QualityCompat.DataFlow)
{
    private char[] _tokenChars = [];
    private int _tokenCharCount;
    private TextRange[] _words = new TextRange[1024];
    private ulong[] _wordHashes = new ulong[1024];
    private TextRange[] _lines = new TextRange[256];
    private int _wordCount = -1;
    private bool _hashesValid;
    private int _knownWordCount = -1;
    private int _lineCount = -1;
    private bool[] _sourceKept = [];
    private int[] _sourceOfLine = [];
    private int _sourceLineCount = -1;   // -1 while no rule removed lines
    private readonly List<string> _rewrites = [];
    private string _text = "";
    private StringBuilder? _pendingText;   // a rule's new text, made a string only if a later reader asks (often none does)

    public string Text
    {
        get
        {
            if (_pendingText is { } pending)
            {
                _text = pending.ToString();
                _pendingText = null;
            }
            return _text;
        }
        private set
        {
            _text = value;
            _pendingText = null;
        }
    }

    /// <summary>The text given to <see cref="Reset"/>, before any rule replaced it: what the kept document's lines are mapped back to.</summary>
    public string Source { get; private set; } = "";

    /// <summary>Whether a rule removed lines of <see cref="Source"/>; <see cref="IsSourceLineKept"/> then says which.</summary>
    public bool LinesRemoved => _sourceLineCount >= 0;

    /// <summary>Whether lines that are blank in the source survive the rules that removed lines.</summary>
    public bool BlankLinesKept { get; private set; } = true;

    /// <summary>An edit a rule applies to every kept line of the document as written (C4's citation removal), or null.</summary>
    public Func<string, string>? KeptLineEdit { get; private set; }

    /// <summary>The rewrite reason of <see cref="KeptLineEdit"/>.</summary>
    public string? KeptLineEditReason { get; private set; }

    /// <summary>Rewrite reasons of the rules that removed lines (e.g. "c4.lines_removed"), in chain order.</summary>
    public IReadOnlyList<string> Rewrites => _rewrites;

    public QualityCompat Compat { get; } = compat;

    /// <summary>The characters that <see cref="Words"/> index: the text itself, or the datatrove mode's token buffer.</summary>
    public ReadOnlySpan<char> WordChars { get { EnsureWords(); return Compat == QualityCompat.DataFlow ? Text.AsSpan() : _tokenChars.AsSpan(0, _tokenCharCount); } }

    /// <summary>Language set by a language rule (ISO 639-1 code), or null when none ran.</summary>
    public string? Language { get; set; }

    /// <summary>Confidence of <see cref="Language"/>, 0..1.</summary>
    public double LanguageScore { get; set; }

    /// <summary>Starts on a new document.</summary>
    public AnalyzedText Reset(string text)
    {
        Text = text;
        Source = text;
        Language = null;
        LanguageScore = 0;
        _sourceLineCount = -1;
        BlankLinesKept = true;
        KeptLineEdit = null;
        KeptLineEditReason = null;
        _rewrites.Clear();
        _wordCount = -1;
        _lineCount = -1;
        _knownWordCount = -1;
        return this;
    }

    /// <summary>
    /// Replaces the text (a rule that cleans lines); later rules see the new text. A rule that already knows the
    /// new text's word count passes it, so rules needing only the count do not split the text again.
    /// </summary>
    public void Replace(string text, int knownWordCount = -1)
    {
        if (ReferenceEquals(text, Text)) return;
        Text = text;
        _wordCount = -1;
        _lineCount = -1;
        _knownWordCount = Compat == QualityCompat.DataFlow ? knownWordCount : -1;   // a count by DataFlow's splitter
    }

    /// <summary>
    /// Removes lines: <paramref name="keep"/>[i] says whether line i of the current text stays, <paramref name="text"/>
    /// is what later rules see (the kept lines as the rule cleaned them). The removal is also recorded against the
    /// lines of <see cref="Source"/>, so the kept document can be the text as written minus those lines.
    /// </summary>
    public void RemoveLines(ReadOnlySpan<bool> keep, string text, int knownWordCount, bool blankLinesKept, string reason)
    {
        RecordRemoval(keep, blankLinesKept, reason);
        Replace(text, knownWordCount);
    }

    /// <summary>
    /// <see cref="RemoveLines(ReadOnlySpan{bool}, string, int, bool, string)"/> with the new text in a builder the rule
    /// leaves untouched until the next <see cref="Reset"/>: it becomes a string only if a later reader asks for it.
    /// </summary>
    public void RemoveLines(ReadOnlySpan<bool> keep, StringBuilder text, int knownWordCount, bool blankLinesKept, string reason)
    {
        RecordRemoval(keep, blankLinesKept, reason);
        Replace(text, knownWordCount);
    }

    /// <summary><see cref="Replace(string, int)"/> with the text in a builder the rule leaves untouched until the next <see cref="Reset"/>.</summary>
    public void Replace(StringBuilder text, int knownWordCount = -1)
    {
        _pendingText = text;
        _wordCount = -1;
        _lineCount = -1;
        _knownWordCount = Compat == QualityCompat.DataFlow ? knownWordCount : -1;
    }

    private void RecordRemoval(ReadOnlySpan<bool> keep, bool blankLinesKept, string reason)
    {
        var lines = Lines.Length;
        if (keep.Length != lines) throw new ArgumentException($"keep has {keep.Length} entries for {lines} lines", nameof(keep));
        if (_sourceLineCount < 0)
        {
            // The first removal: current lines are the source's lines (a rule may have trimmed them, not split them).
            _sourceLineCount = lines;
            if (_sourceKept.Length < lines) _sourceKept = new bool[Math.Max(lines, _sourceKept.Length * 2)];
            if (_sourceOfLine.Length < lines) _sourceOfLine = new int[Math.Max(lines, _sourceOfLine.Length * 2)];
            for (var i = 0; i < lines; i++) { _sourceKept[i] = true; _sourceOfLine[i] = i; }
        }
        var next = 0;
        for (var i = 0; i < lines; i++)
        {
            if (keep[i]) _sourceOfLine[next++] = _sourceOfLine[i];
            else _sourceKept[_sourceOfLine[i]] = false;
        }
        BlankLinesKept &= blankLinesKept;
        if (!_rewrites.Contains(reason)) _rewrites.Add(reason);
    }

    /// <summary>Whether line <paramref name="index"/> of <see cref="Source"/> (split as <see cref="Lines"/> splits) is still there.</summary>
    public bool IsSourceLineKept(int index) => _sourceLineCount < 0 || _sourceKept[index];

    /// <summary>Records an edit of every kept line (applied to the lines as written when the kept document is built).</summary>
    public void EditKeptLines(Func<string, string> edit, string reason)
    {
        KeptLineEdit = edit;
        KeptLineEditReason = reason;
    }

    public int WordCount => _wordCount < 0 && _knownWordCount >= 0 ? _knownWordCount : EnsureWordsCount();

    private int EnsureWordsCount()
    {
        EnsureWords();
        return _wordCount;
    }

    /// <summary>Words as found by the mode's word splitter, as ranges of <see cref="WordChars"/>.</summary>
    public ReadOnlySpan<TextRange> Words { get { EnsureWords(); return _words.AsSpan(0, _wordCount); } }

    /// <summary>A 64-bit ordinal hash of each word, for n-gram counting without building strings.</summary>
    public ReadOnlySpan<ulong> WordHashes { get { EnsureWordHashes(); return _wordHashes.AsSpan(0, _wordCount); } }

    public int LineCount { get { EnsureLines(); return _lineCount; } }

    public ReadOnlySpan<TextRange> Lines { get { EnsureLines(); return _lines.AsSpan(0, _lineCount); } }

    private void EnsureWords()
    {
        if (_wordCount >= 0) return;
        if (Compat == QualityCompat.Datatrove)
        {
            SplitNltkWords();
            return;
        }
        var count = WordSplitter.Split(Text, ref _words);
        _wordCount = count;
        _hashesValid = false;
    }

    private void SplitNltkWords()
    {
        var tokens = NltkWordTokenizer.Tokenize(Text);
        if (_words.Length < tokens.Count) _words = new TextRange[Math.Max(tokens.Count, _words.Length * 2)];
        var chars = 0;
        foreach (var t in tokens) chars += t.Length;
        if (_tokenChars.Length < chars) _tokenChars = new char[Math.Max(chars, _tokenChars.Length * 2)];
        var offset = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            tokens[i].CopyTo(_tokenChars.AsSpan(offset));
            _words[i] = new TextRange(offset, tokens[i].Length);
            offset += tokens[i].Length;
        }
        _tokenCharCount = offset;
        _wordCount = tokens.Count;
        _hashesValid = false;
    }

    // Hashes are only needed by n-gram rules; computed on first use, after the words.
    private void EnsureWordHashes()
    {
        EnsureWords();
        if (_hashesValid) return;
        if (_wordHashes.Length < _wordCount) _wordHashes = new ulong[_words.Length];
        var text = WordChars;
        var words = _words.AsSpan(0, _wordCount);
        var hashes = _wordHashes.AsSpan(0, _wordCount);
        for (var i = 0; i < words.Length; i++) hashes[i] = WordHashOf(text.Slice(words[i].Start, words[i].Length));
        _hashesValid = true;
    }

    private void EnsureLines()
    {
        if (_lineCount >= 0) return;
        var text = Text.AsSpan();
        var count = 0;
        var start = 0;
        while (start < text.Length)
        {
            var newline = text[start..].IndexOf('\n');
            var end = newline < 0 ? text.Length : start + newline;
            if (count == _lines.Length) Array.Resize(ref _lines, count * 2);
            var lineEnd = end > start && text[end - 1] == '\r' ? end - 1 : end;
            _lines[count++] = new TextRange(start, lineEnd - start);
            start = end + 1;
        }
        _lineCount = count;
    }

    /// <summary>64-bit XxHash3 of the UTF-16 code units (vectorized for long lines and paragraphs).</summary>
    public static ulong HashOf(ReadOnlySpan<char> span) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(span));

    /// <summary>
    /// A 64-bit hash of a short span (a word), cheaper than <see cref="HashOf"/> below ~16 characters: 8-byte chunks
    /// folded by a 128-bit multiply (wyhash's mum), the length in the seed, the last chunk read overlapping.
    /// </summary>
    public static ulong WordHashOf(ReadOnlySpan<char> word)
    {
        ref var b = ref Unsafe.As<char, byte>(ref MemoryMarshal.GetReference(word));
        var bytes = (uint)word.Length * 2;
        var h = 0x9E3779B97F4A7C15UL ^ bytes;
        if (bytes >= 8)
        {
            uint i = 0;
            for (; i + 8 < bytes; i += 8) h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)), 0xa0761d6478bd642fUL);
            h = Fold(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, bytes - 8)), 0xe7037ed1a0b428dbUL);
        }
        else if (bytes >= 4)
        {
            ulong lo = Unsafe.ReadUnaligned<uint>(ref b), hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, bytes - 4));
            h = Fold(h ^ (lo | hi << 32), 0xe7037ed1a0b428dbUL);
        }
        else if (bytes == 2)
        {
            h = Fold(h ^ Unsafe.ReadUnaligned<ushort>(ref b), 0xe7037ed1a0b428dbUL);
        }
        return Fold(h, 0x8ebc6af09c88c6e3UL);
    }

    private static ulong Fold(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }

    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
