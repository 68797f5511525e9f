namespace DataFlow.Engine.Documents;

/// <summary>One document as it flows between stages. Stages may attach extra typed columns.</summary>
public sealed class Document
{
    public Document(string id, string text, string source, string metadata = "{}")
    {
        Id = id;
        Text = text;
        Source = source;
        Metadata = metadata;
    }

    public string Id { get; set; }
    public string Text { get; set; }
    public string Source { get; set; }

    /// <summary>Free-form metadata as a JSON object string; "{}" when empty.</summary>
    public string Metadata { get; set; }

    /// <summary>Columns added by stages (language, score, cluster id...), written when the writer declares them.</summary>
    public Dictionary<string, object?>? Columns { get; private set; }

    /// <summary>Where the document was read from, for error messages and rejects (file and line or row).</summary>
    public string? Origin { get; set; }

    public object? this[string column]
    {
        get => Columns is not null && Columns.TryGetValue(column, out var value) ? value : null;
        set => (Columns ??= new Dictionary<string, object?>(StringComparer.Ordinal))[column] = value;
    }
}
