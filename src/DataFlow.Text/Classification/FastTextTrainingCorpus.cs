using System.Runtime.InteropServices;

namespace DataFlow.Text.Classification;

/// <summary>
/// The training examples read once: every distinct token gets a provisional id in order of first sight (with its
/// count), and the examples are kept as a flat stream of those ids, so epochs replay them without re-reading or
/// re-hashing text. Token counts include labels and the end-of-line token <c>&lt;/s&gt;</c>, as fastText counts them.
/// </summary>
internal sealed class FastTextTrainingCorpus
{
    private readonly string _labelPrefix;
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _tokens = [];
    private readonly List<long> _counts = [];
    private int[] _stream = new int[1 << 16];
    private long _streamLength;
    private readonly List<long> _lineStarts = [];
    private readonly int _eos;

    public FastTextTrainingCorpus(string labelPrefix)
    {
        _labelPrefix = labelPrefix;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _eos = Intern(FastTextDictionary.EndOfSentence);
        _counts[_eos] = 0;
    }

    /// <summary>Examples added (lines, including lines without labels, which train nothing but count tokens).</summary>
    public int Lines => _lineStarts.Count;
    /// <summary>Tokens added, labels and end-of-line tokens included (fastText's <c>ntokens</c>).</summary>
    public long TokenCount => _streamLength;
    public int DistinctTokens => _tokens.Count;
    public IReadOnlyList<string> Tokens => _tokens;
    public IReadOnlyList<long> Counts => _counts;
    public int EndOfLine => _eos;

    public bool IsLabel(int provisionalId) => _tokens[provisionalId].StartsWith(_labelPrefix, StringComparison.Ordinal);

    /// <summary>One line in fastText's format: labels are the tokens that start with the label prefix.</summary>
    public void AddLine(ReadOnlySpan<char> line)
    {
        _lineStarts.Add(_streamLength);
        AddTokens(line);
        AppendEndOfLine();
    }

    /// <summary>An example as fields: the labels (prefix added where missing) come first, then the text's tokens.</summary>
    public void AddExample(LabelledText example)
    {
        _lineStarts.Add(_streamLength);
        foreach (var label in example.Labels)
        {
            if (label.Length == 0 || label.Any(IsSeparator))
                throw new ArgumentException($"label '{label}' is empty or contains whitespace; a fastText label is one word");
            Append(label.StartsWith(_labelPrefix, StringComparison.Ordinal) ? Intern(label) : Intern(_labelPrefix + label));
        }
        AddTokens(example.Text);
        AppendEndOfLine();
    }

    /// <summary>The provisional token ids of line <paramref name="line"/>, its end-of-line token last.</summary>
    public ReadOnlySpan<int> Line(int line)
    {
        long start = _lineStarts[line], end = line + 1 < _lineStarts.Count ? _lineStarts[line + 1] : _streamLength;
        return _stream.AsSpan((int)start, (int)(end - start));
    }

    private void AddTokens(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsSeparator(text[i])) i++;
            int start = i;
            while (i < text.Length && !IsSeparator(text[i])) i++;
            if (i > start) Append(Intern(text[start..i]));
        }
    }

    /// <summary>fastText's token separators (all ASCII: space, \n, \r, \t, \v, \f, \0).</summary>
    public static bool IsSeparator(char c) => c < 128 && FastTextDictionary.IsSpace((byte)c);

    private int Intern(ReadOnlySpan<char> token)
    {
        if (_lookup.TryGetValue(token, out int id))
        {
            CollectionsMarshal.AsSpan(_counts)[id]++;
            return id;
        }
        id = _tokens.Count;
        var text = token.ToString();
        _ids.Add(text, id);
        _tokens.Add(text);
        _counts.Add(1);
        return id;
    }

    private void AppendEndOfLine()
    {
        CollectionsMarshal.AsSpan(_counts)[_eos]++;
        Append(_eos);
    }

    private void Append(int id)
    {
        if (_streamLength == _stream.Length)
        {
            if (_stream.Length == Array.MaxLength)
                throw new InvalidOperationException($"more than {Array.MaxLength:N0} tokens: too much training text for one model");
            Array.Resize(ref _stream, (int)Math.Min((long)_stream.Length * 2, Array.MaxLength));
        }
        _stream[_streamLength++] = id;
    }
}
