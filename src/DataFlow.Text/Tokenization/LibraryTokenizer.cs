using Microsoft.ML.Tokenizers;

namespace DataFlow.Text.Tokenization;

/// <summary>An <see cref="ITextTokenizer"/> backed by a Microsoft.ML.Tokenizers tokenizer (Tiktoken or byte-level BPE), which does the encoding.</summary>
public sealed class LibraryTokenizer : ITextTokenizer
{
    private readonly Tokenizer _tokenizer;
    private readonly string[] _specialTokens;

    /// <param name="specialTokens">Special-token strings the tokenizer recognizes in text (default: a Tiktoken tokenizer's own).</param>
    /// <param name="endOfText">How the vocabulary spells the token <paramref name="endOfTextId"/> (default: <see cref="SpecialTokens.EndOfText"/>).</param>
    public LibraryTokenizer(string name, Tokenizer tokenizer, int vocabSize, int endOfTextId, int? padId, IEnumerable<string>? specialTokens = null,
        string endOfText = SpecialTokens.EndOfText)
    {
        EndOfText = endOfText;
        Name = name;
        _tokenizer = tokenizer;
        _specialTokens = (specialTokens ?? (tokenizer as TiktokenTokenizer)?.SpecialTokens?.Keys ?? []).Where(t => t.Length > 1).ToArray();
        VocabSize = vocabSize;
        EndOfTextId = endOfTextId;
        PadId = padId;
    }

    public string Name { get; }
    public int VocabSize { get; }
    public int EndOfTextId { get; }
    public string EndOfText { get; }
    public int? PadId { get; }

    /// <summary>The library tokenizer, for callers that need its richer API (offsets, counting).</summary>
    public Tokenizer Inner => _tokenizer;

    public void Encode(string text, List<int> ids) => ids.AddRange(_tokenizer.EncodeToIds(text));

    public void EncodeOrdinary(string text, List<int> ids)
    {
        // Cut every occurrence of a special-token string after its first character and encode the pieces separately:
        // no piece holds a whole special string, and the pieces concatenate back to the text.
        List<int>? cuts = null;
        foreach (var special in _specialTokens)
        {
            for (var at = text.IndexOf(special, StringComparison.Ordinal); at >= 0; at = text.IndexOf(special, at + 1, StringComparison.Ordinal))
                (cuts ??= []).Add(at + 1);
        }
        if (cuts is null)
        {
            Encode(text, ids);
            return;
        }
        cuts.Sort();
        var start = 0;
        foreach (var cut in cuts.Append(text.Length).Distinct())
        {
            if (cut > start) ids.AddRange(_tokenizer.EncodeToIds(text.AsSpan(start, cut - start)));
            start = cut;
        }
    }

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);
}
