using System.Globalization;
using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Which member of a duplicate cluster survives: <c>first</c> (input order), <c>longest</c> (most UTF-8 bytes),
/// or <c>max:FIELD</c> / <c>min:FIELD</c> (a numeric or date extra column or metadata field, dates such as a WARC-Date
/// compared as instants; documents without it lose). Ties always go to the earlier document, so the choice is deterministic.
/// </summary>
public sealed record KeepPolicy(KeepPolicy.Rule By, string? Field = null)
{
    public enum Rule { First, Longest, Max, Min }

    public static KeepPolicy First { get; } = new(Rule.First);

    public static KeepPolicy Parse(string text)
    {
        var lower = text.Trim();
        if (lower.Equals("first", StringComparison.OrdinalIgnoreCase)) return First;
        if (lower.Equals("longest", StringComparison.OrdinalIgnoreCase)) return new KeepPolicy(Rule.Longest);
        var colon = lower.IndexOf(':');
        if (colon > 0 && colon < lower.Length - 1)
        {
            var field = lower[(colon + 1)..];
            switch (lower[..colon].ToLowerInvariant())
            {
                case "max": return new KeepPolicy(Rule.Max, field);
                case "min": return new KeepPolicy(Rule.Min, field);
            }
        }
        throw new ArgumentException($"keep '{text}' must be first, longest, max:FIELD or min:FIELD");
    }

    /// <summary>Higher is kept. First gives everyone 0 so the earliest document wins the tie.</summary>
    public double PriorityOf(Document doc, long bytes) => By switch
    {
        Rule.First => 0,
        Rule.Longest => bytes,
        Rule.Max => FieldValue(doc) ?? double.NegativeInfinity,
        Rule.Min => FieldValue(doc) is { } v ? -v : double.NegativeInfinity,
        _ => 0,
    };

    /// <summary>
    /// <c>url_priority</c>: <c>first</c>, <c>longest</c>, or <c>{column: NAME, order: newest | oldest | largest | smallest}</c>
    /// (newest and largest keep the highest value).
    /// </summary>
    public static KeepPolicy ForUrl(string column, string order) => order.Trim().ToLowerInvariant() switch
    {
        "newest" or "largest" or "max" or "highest" => new KeepPolicy(Rule.Max, column),
        "oldest" or "smallest" or "min" or "lowest" => new KeepPolicy(Rule.Min, column),
        _ => throw new ArgumentException($"order '{order}' must be newest, oldest, largest or smallest"),
    };

    private double? FieldValue(Document doc)
    {
        var column = doc[Field!];
        if (column is not null)
            return column switch
            {
                string text => ParseValue(text),
                DateTime time => time.ToUniversalTime().Ticks,
                DateTimeOffset time => time.UtcTicks,
                IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
                _ => null,
            };
        if (doc.Metadata.Length <= 2) return null;
        try
        {
            using var json = JsonDocument.Parse(doc.Metadata);
            if (!json.RootElement.TryGetProperty(Field!, out var value)) return null;
            return value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String => ParseValue(value.GetString()!),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A number, or a date and time (ISO 8601 as WARC-Date writes it; UTC unless it says otherwise) as UTC ticks.</summary>
    private static double? ParseValue(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.UtcTicks
        : null;

    /// <summary>A string extra column, or failing that a string metadata field, of <paramref name="doc"/>; null when neither.</summary>
    public static string? StringField(Document doc, string field)
    {
        if (doc[field] is string column) return column;
        var metadata = doc.Metadata;
        if (metadata.Length < field.Length + 4 || !metadata.Contains(field, StringComparison.Ordinal)) return null;
        try
        {
            using var json = JsonDocument.Parse(metadata);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(field, out var v)
                && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public override string ToString() => By switch
    {
        Rule.Max => $"max:{Field}",
        Rule.Min => $"min:{Field}",
        _ => By.ToString().ToLowerInvariant(),
    };
}
