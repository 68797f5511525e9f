using DataFlow.Text.Tokenization;

namespace DataFlow.Text.Chat;

/// <summary>
/// A model's tokenizer for the chat stages: any <see cref="ITextTokenizer"/> (bytes, gpt2, cl100k_base, o200k_base, a
/// trained tokenizer.json) plus the chat special tokens. A chat token the base vocabulary already holds as one id (the
/// byte vocabulary, a tokenizer trained here) keeps that id; one it lacks (gpt2, cl100k) is added after the base
/// vocabulary, in <see cref="SpecialTokens.Default"/> order, so its id is the same every time the tokenizer is loaded.
/// The chat role <see cref="SpecialTokens.EndOfText"/> is the base's own end-of-text token whatever its spelling (LLaMA 3's
/// &lt;|end_of_text|&gt;): never added, so training text ends with the separator the base was pretrained on.
/// </summary>
public sealed class ChatTokenizer : IChatTokenizer
{
    private readonly ITextTokenizer _base;
    private readonly Dictionary<string, int> _special = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _added = [];

    /// <param name="source">How the base was named when loaded: a known name or the path of its tokenizer JSON file.</param>
    public ChatTokenizer(ITextTokenizer baseTokenizer, string source)
    {
        _base = baseTokenizer;
        Source = source;
        var next = baseTokenizer.VocabSize;
        foreach (var token in SpecialTokens.Default)
        {
            if (token == SpecialTokens.EndOfText) _special[token] = baseTokenizer.EndOfTextId;
            else if (SingleId(token) is { } id) _special[token] = id;
            else
            {
                _special[token] = next;
                _added[next++] = token;
            }
        }
        VocabSize = next;
    }

    /// <summary>Loads a known name (bytes, gpt2, cl100k_base, o200k_base) or a tokenizer JSON file.</summary>
    /// <param name="baseVocabSize">For a file that already lists the added chat tokens (a model folder's tokenizer.json): where its base vocabulary ends.</param>
    /// <param name="endOfText">For a byte-level file: its document separator; null reads it from the file's folder (<see cref="EndOfTextToken"/>).</param>
    public static ChatTokenizer Load(string nameOrPath, int? baseVocabSize = null, string? endOfText = null) =>
        new(TokenizerFiles.Load(nameOrPath, baseVocabSize, endOfText), nameOrPath) { _baseVocabSizeInSource = baseVocabSize };

    private int? _baseVocabSizeInSource;
    private string? _huggingFaceJson;

    /// <summary>
    /// This tokenizer, chat tokens included (as added special tokens), in Hugging Face's tokenizer.json format; null for a
    /// character tokenizer, which has no byte-level BPE form. Built once (recovering gpt2's merges takes a moment).
    /// </summary>
    public string? HuggingFaceJson()
    {
        if (_huggingFaceJson is not null) return _huggingFaceJson;
        if (TokenizerFiles.ByteLevelModel(Source, _baseVocabSizeInSource) is not { } model) return null;
        var special = new Dictionary<string, int>(model.SpecialTokens, StringComparer.Ordinal);
        foreach (var (id, token) in _added) special[token] = id;
        return _huggingFaceJson = HuggingFaceTokenizerJson.Write(new ByteLevelBpeModel(model.Vocabulary, model.Merges, special, model.PreTokenizerPattern));
    }

    /// <summary>Known name or tokenizer JSON path the base vocabulary came from.</summary>
    public string Source { get; }

    /// <summary>The base tokenizer's name (gpt2, bytes, or where its file was read).</summary>
    public string Name => _base.Name;

    /// <summary>Ids of the base vocabulary: a model pretrained on this tokenizer's token shards has this many embeddings.</summary>
    public int BaseVocabSize => _base.VocabSize;

    /// <summary>Base vocabulary plus the chat tokens it lacked.</summary>
    public int VocabSize { get; }

    /// <summary>Chat tokens added after the base vocabulary (id -> token), empty when the base has them all.</summary>
    public IReadOnlyDictionary<int, string> AddedTokens => _added;

    /// <summary>Every chat special token and its id.</summary>
    public IReadOnlyDictionary<string, int> ChatTokens => _special;

    public int PadId => _base.PadId ?? _special[SpecialTokens.Pad];

    public int EndOfTextId => _base.EndOfTextId;

    /// <summary>How the base vocabulary spells its end-of-text token (the chat role <see cref="SpecialTokens.EndOfText"/> maps onto it).</summary>
    public string EndOfText => _base.EndOfText;

    public int SpecialTokenId(string token) =>
        _special.TryGetValue(token, out var id) ? id
            : throw new ArgumentException($"tokenizer '{Name}' has no special token '{token}' (chat tokens: {string.Join(", ", _special.Keys)})");

    public void Encode(string text, List<int> ids) => _base.EncodeOrdinary(text, ids);

    public string Decode(IEnumerable<int> ids)
    {
        if (_added.Count == 0) return _base.Decode(ids);
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (!_added.TryGetValue(id, out var token))
            {
                run.Add(id);
                continue;
            }
            Flush();
            text.Append(token);
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (run.Count == 0) return;
            text.Append(_base.Decode(run));
            run.Clear();
        }
    }

    /// <summary>The base id of <paramref name="token"/> when the base encodes it as exactly one id that decodes back to it.</summary>
    private int? SingleId(string token)
    {
        var ids = new List<int>();
        try { _base.Encode(token, ids); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException) { return null; } // a vocabulary that cannot spell it

        return ids.Count == 1 && _base.Decode(ids) == token ? ids[0] : null;
    }
}
