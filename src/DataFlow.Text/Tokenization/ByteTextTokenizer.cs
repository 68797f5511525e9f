using DataFlow.Text.Chat;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// The byte-level chat tokenizer (<see cref="ByteChatTokenizer"/>: six special tokens, then the 256 byte values) as
/// a tokenize-stage tokenizer named "bytes". Token shards made with it feed pretraining of the same model that SFT,
/// the reward model and PPO then fine-tune, so the whole chain shares one vocabulary of 262 ids.
/// </summary>
public sealed class ByteTextTokenizer : ITextTokenizer
{
    public const string KnownName = "bytes";

    private readonly ByteChatTokenizer _bytes = new();

    public string Name => KnownName;
    public int VocabSize => _bytes.VocabSize;
    public int EndOfTextId => _bytes.EndOfTextId;
    public string EndOfText => SpecialTokens.EndOfText;
    public int? PadId => _bytes.PadId;

    /// <summary>Special-token strings in the text become their ids, as <see cref="ITextTokenizer.Encode"/> promises.</summary>
    public void Encode(string text, List<int> ids)
    {
        var start = 0;
        while (start < text.Length)
        {
            var next = text.IndexOf("<|", start, StringComparison.Ordinal);
            if (next < 0) break;
            var end = text.IndexOf("|>", next + 2, StringComparison.Ordinal);
            if (end < 0) break;
            var candidate = text[next..(end + 2)];
            if (!TrySpecial(candidate, out var id))
            {
                _bytes.Encode(text[start..(next + 2)], ids);
                start = next + 2;
                continue;
            }
            _bytes.Encode(text[start..next], ids);
            ids.Add(id);
            start = end + 2;
        }
        _bytes.Encode(text[start..], ids);
    }

    public void EncodeOrdinary(string text, List<int> ids) => _bytes.Encode(text, ids);

    public string Decode(IEnumerable<int> ids) => _bytes.Decode(ids);

    /// <summary>
    /// The same vocabulary as a byte-level BPE without merges (each byte its own token at id 6 + byte, the six special
    /// tokens at 0-5), the form Hugging Face tokenizer.json and GGUF hold; it encodes every text to the same ids.
    /// </summary>
    public static ByteLevelBpeModel ByteLevelModel()
    {
        var vocabulary = new Dictionary<string, int>(256, StringComparer.Ordinal);
        for (var b = 0; b < 256; b++) vocabulary[ByteLevelAlphabet.CharOf((byte)b).ToString()] = SpecialTokens.Default.Count + b;
        var special = SpecialTokens.Default.Select((token, id) => KeyValuePair.Create(token, id)).ToDictionary(StringComparer.Ordinal);
        return new ByteLevelBpeModel(vocabulary, [], special, PreTokenizerPatterns.Gpt2);
    }

    private bool TrySpecial(string token, out int id)
    {
        try
        {
            id = _bytes.SpecialTokenId(token);
            return true;
        }
        catch (ArgumentException)
        {
            id = -1;
            return false;
        }
    }
}
