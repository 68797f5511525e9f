using System.Text;

namespace DataFlow.Engine.Documents;

/// <summary>One document as it flows between stages. Stages may attach extra typed columns.</summary>
public sealed class Document
{
    private string? _text;
    private byte[]? _utf8Text;

    public Document(string id, string text, string source, string metadata = "{}")
    {
        Id = id;
        _text = text;
        Source = source;
        Metadata = metadata;
    }

    /// <summary>
    /// A document whose text arrived as valid UTF-8 (JSONL): it is decoded to a string only if a stage reads
    /// <see cref="Text"/>, so a stage that only copies documents (ingest) writes the bytes straight through.
    /// </summary>
    public Document(string id, byte[] utf8Text, string source, string metadata = "{}")
    {
        Id = id;
        _utf8Text = utf8Text;
        Source = source;
        Metadata = metadata;
    }

    public string Id { get; set; }

    public string Text
    {
        get => _text ??= Encoding.UTF8.GetString(_utf8Text!);
        set
        {
            _text = value;
            _utf8Text = null;
        }
    }

    /// <summary>Length of the text in UTF-8 bytes, without decoding it when the bytes are at hand.</summary>
    public int TextUtf8Length => _utf8Text?.Length ?? Encoding.UTF8.GetByteCount(_text!);

    /// <summary>The text's UTF-8 bytes when the document still holds the bytes it was read as (not set since).</summary>
    public bool TryGetUtf8Text(out ReadOnlySpan<byte> utf8Text)
    {
        utf8Text = _utf8Text;
        return _utf8Text is not null;
    }

    public string Source { get; set; }

    /// <summary>Free-form metadata as a JSON object string; "{}" when empty.</summary>
    public string Metadata { get; set; }

    /// <summary>Columns added by stages (language, score, cluster id...), written when the writer declares them.</summary>
    public Dictionary<string, object?>? Columns { get; private set; }

    /// <summary>Where the document was read from, for error messages and rejects (file and line or row).</summary>
    public string? Origin
    {
        get => _origin ??= _originFile is null ? null : $"{_originFile}{_originSeparator}{_originNumber}";
        set
        {
            _origin = value;
            _originFile = null;
        }
    }

    private string? _origin;
    private string? _originFile;
    private string? _originSeparator;
    private long _originNumber;

    /// <summary>
    /// Sets <see cref="Origin"/> to FILE + SEPARATOR + NUMBER ("in.jsonl:12", "part-00000.parquet#row7"), formatted
    /// only if something reads it: readers set it on every document, and few are ever looked at.
    /// </summary>
    internal void SetOrigin(string file, string separator, long number)
    {
        _origin = null;
        (_originFile, _originSeparator, _originNumber) = (file, separator, number);
    }

    public object? this[string column]
    {
        get => Columns is not null && Columns.TryGetValue(column, out var value) ? value : null;
        set => (Columns ??= new Dictionary<string, object?>(StringComparer.Ordinal))[column] = value;
    }
}
