using System.Text;
using System.Text.Json;

namespace DataFlow.Text.Tokenization;

/// <summary>
/// One id per Unicode character seen in training (nanoGPT's Shakespeare setup), then special tokens.
/// Characters not seen in training encode as &lt;|unk|&gt; and decode as U+FFFD.
/// Saved as a small JSON file with <c>"type": "dataflow-char"</c>.
/// </summary>
public sealed class CharacterTokenizer : ITextTokenizer
{
    public const string JsonType = "dataflow-char";
    public const string Unknown = "<|unk|>";

    private readonly Dictionary<int, int> _idOfRune = new();
    private readonly string[] _textOfId;
    private readonly Dictionary<string, int> _specialTokens;

    public CharacterTokenizer(IEnumerable<Rune> characters, IReadOnlyList<string> specialTokens, string name = "char")
    {
        Name = name;
        var runes = characters.Distinct().OrderBy(r => r.Value).ToArray();
        var specials = specialTokens.Contains(Unknown) ? specialTokens : specialTokens.Append(Unknown).ToArray();
        _textOfId = new string[runes.Length + specials.Count];
        for (var i = 0; i < runes.Length; i++)
        {
            _idOfRune[runes[i].Value] = i;
            _textOfId[i] = runes[i].ToString();
        }
        _specialTokens = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in specials)
        {
            _specialTokens[token] = runes.Length + _specialTokens.Count;
            _textOfId[_specialTokens[token]] = token;
        }
        if (!_specialTokens.TryGetValue(SpecialTokens.EndOfText, out var endOfText))
            throw new ArgumentException($"special tokens must include {SpecialTokens.EndOfText}", nameof(specialTokens));
        EndOfTextId = endOfText;
        PadId = _specialTokens.TryGetValue(SpecialTokens.Pad, out var pad) ? pad : null;
        Characters = runes;
    }

    /// <summary>Builds the vocabulary from every character in <paramref name="texts"/>.</summary>
    public static CharacterTokenizer Train(IEnumerable<string> texts, IReadOnlyList<string>? specialTokens = null)
    {
        var seen = new HashSet<Rune>();
        foreach (var text in texts) foreach (var rune in text.EnumerateRunes()) seen.Add(rune);
        return new CharacterTokenizer(seen, specialTokens ?? [SpecialTokens.EndOfText]);
    }

    public string Name { get; }
    public int VocabSize => _textOfId.Length;
    public int EndOfTextId { get; }
    public string EndOfText => SpecialTokens.EndOfText;
    public int? PadId { get; }
    public IReadOnlyList<Rune> Characters { get; }
    public IReadOnlyDictionary<string, int> SpecialTokenIds => _specialTokens;

    public void Encode(string text, List<int> ids)
    {
        var unknown = _specialTokens[Unknown];
        foreach (var rune in text.EnumerateRunes()) ids.Add(_idOfRune.TryGetValue(rune.Value, out var id) ? id : unknown);
    }

    /// <summary>Same as <see cref="Encode"/>: a character tokenizer never reads special tokens out of text.</summary>
    public void EncodeOrdinary(string text, List<int> ids) => Encode(text, ids);

    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        var unknown = _specialTokens[Unknown];
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)_textOfId.Length) throw new ArgumentOutOfRangeException(nameof(ids), $"id {id} outside [0, {VocabSize})");
            text.Append(id == unknown ? "\uFFFD" : _textOfId[id]);
        }
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new CharacterTokenizerFile(
        JsonType, Characters.Select(r => r.ToString()).ToArray(), _specialTokens.OrderBy(t => t.Value).Select(t => t.Key).ToArray()),
        new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

    public static CharacterTokenizer FromJson(string json, string source)
    {
        CharacterTokenizerFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CharacterTokenizerFile>(json, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a character tokenizer ({e.Message})", e);
        }
        if (file is null || file.Type != JsonType) throw new InvalidDataException($"{source}: type is not '{JsonType}'");
        var runes = file.Characters.Select(c => Rune.TryGetRuneAt(c, 0, out var r) && r.Utf16SequenceLength == c.Length
            ? r : throw new InvalidDataException($"{source}: '{c}' is not one character")).ToArray();
        return new CharacterTokenizer(runes, file.SpecialTokens, source);
    }

    private sealed record CharacterTokenizerFile(string Type, string[] Characters, string[] SpecialTokens);
}
