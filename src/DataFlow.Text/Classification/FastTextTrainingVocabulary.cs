using System.Text;

namespace DataFlow.Text.Classification;

/// <summary>
/// The dictionary of a training run and, for every distinct token of the corpus, what it contributes to an example
/// (worked out once, through the dictionary's own tokenization): its input rows (the word, or its subwords; for a word
/// left out by minCount, its subwords only), its hash for word n-grams, or its label index.
/// </summary>
internal sealed class FastTextTrainingVocabulary
{
    private readonly int[] _rowStarts;
    private readonly int[] _rows;
    private readonly int[] _hashes;
    private readonly int[] _labels;
    private readonly bool[] _isWord;

    private FastTextTrainingVocabulary(FastTextDictionary dictionary, int[] rowStarts, int[] rows, int[] hashes, int[] labels, bool[] isWord)
    {
        Dictionary = dictionary;
        LabelCounts = dictionary.GetCounts(FastTextEntryType.Label);
        (_rowStarts, _rows, _hashes, _labels, _isWord) = (rowStarts, rows, hashes, labels, isWord);
    }

    public FastTextDictionary Dictionary { get; }
    /// <summary>Counts of the labels by label index (they shape the hs tree and the ns table).</summary>
    public long[] LabelCounts { get; }

    /// <summary>
    /// fastText's threshold over the corpus counts: words seen at least minCount times, then labels seen at least
    /// minCountLabel times, each by count descending (ties in order of first sight).
    /// </summary>
    public static FastTextTrainingVocabulary Build(FastTextTrainingCorpus corpus, FastTextArgs args)
    {
        var kept = Enumerable.Range(0, corpus.DistinctTokens)
            .Select(id => (Id: id, Label: corpus.IsLabel(id), Count: corpus.Counts[id]))
            .Where(t => t.Count >= (t.Label ? args.MinCountLabel : args.MinCount))
            .OrderBy(t => t.Label).ThenByDescending(t => t.Count).ThenBy(t => t.Id)
            .Select(t => new FastTextEntry(corpus.Tokens[t.Id], t.Count, t.Label ? FastTextEntryType.Label : FastTextEntryType.Word))
            .ToList();
        var dictionary = new FastTextDictionary(args, kept, corpus.TokenCount);
        if (dictionary.LabelCount == 0)
            throw new InvalidDataException(corpus.DistinctTokens > 0 && Enumerable.Range(0, corpus.DistinctTokens).Any(corpus.IsLabel)
                ? $"no label is seen at least {args.MinCountLabel} times (min-count-label)"
                : $"no labels: every example needs at least one label (a word starting with '{args.LabelPrefix}' in fastText's format)");

        int distinct = corpus.DistinctTokens;
        var rowStarts = new int[distinct + 1];
        var rows = new List<int>(distinct * 2);
        var hashes = new int[distinct];
        var labels = new int[distinct];
        var isWord = new bool[distinct];
        var tokenRows = new List<int>();
        var tokenLabels = new List<int>();
        for (int id = 0; id < distinct; id++)
        {
            var utf8 = Encoding.UTF8.GetBytes(corpus.Tokens[id]);
            dictionary.GetLine(utf8, tokenRows, tokenLabels, endOfLine: false);
            isWord[id] = !corpus.IsLabel(id);
            hashes[id] = (int)FastTextDictionary.Hash(utf8);
            labels[id] = !isWord[id] && tokenLabels.Count == 1 ? tokenLabels[0] : -1;
            rowStarts[id] = rows.Count;
            rows.AddRange(tokenRows);
        }
        rowStarts[distinct] = rows.Count;
        return new FastTextTrainingVocabulary(dictionary, rowStarts, [.. rows], hashes, labels, isWord);
    }

    /// <summary>One line of provisional token ids as fastText's getLine reads it: input rows (each word's rows, then the
    /// word n-gram buckets) and label indices. Returns the tokens it counts (all of them, labels included).</summary>
    public int Encode(ReadOnlySpan<int> line, FastTextTrainingExample example)
    {
        example.Clear();
        foreach (int token in line)
        {
            if (_isWord[token])
            {
                example.Inputs.AddRange(_rows.AsSpan(_rowStarts[token], _rowStarts[token + 1] - _rowStarts[token]));
                example.WordHashes.Add(_hashes[token]);
            }
            else if (_labels[token] >= 0)
            {
                example.Labels.Add(_labels[token]);
            }
        }
        Dictionary.AddWordNgrams(example.Inputs, example.WordHashes);
        return line.Length;
    }

    /// <summary>The trained model: these args and dictionary with the two matrices training filled.</summary>
    public FastTextModel CreateModel(float[] input, float[] output)
    {
        int dim = Dictionary.Args.Dim;
        return new FastTextModel(Dictionary.Args, Dictionary,
            new DenseMatrix(input.Length / dim, dim, input), new DenseMatrix(output.Length / dim, dim, output));
    }
}
