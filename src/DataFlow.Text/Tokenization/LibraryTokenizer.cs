using Microsoft.ML.Tokenizers;

namespace DataFlow.Text.Tokenization;

/// <summary>An <see cref="ITextTokenizer"/> backed by a Microsoft.ML.Tokenizers tokenizer (Tiktoken or byte-level BPE), which does the encoding.</summary>
public sealed class LibraryTokenizer : ITextTokenizer
{
    private readonly Tokenizer _tokenizer;

    public LibraryTokenizer(string name, Tokenizer tokenizer, int vocabSize, int endOfTextId, int? padId)
    {
        Name = name;
        _tokenizer = tokenizer;
        VocabSize = vocabSize;
        EndOfTextId = endOfTextId;
        PadId = padId;
    }

    public string Name { get; }
    public int VocabSize { get; }
    public int EndOfTextId { get; }
    public int? PadId { get; }

    /// <summary>The library tokenizer, for callers that need its richer API (offsets, counting).</summary>
    public Tokenizer Inner => _tokenizer;

    public void Encode(string text, List<int> ids) => ids.AddRange(_tokenizer.EncodeToIds(text));

    public string Decode(IEnumerable<int> ids) => _tokenizer.Decode(ids);
}
