using System.Globalization;
using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Which member of a duplicate cluster survives: <c>first</c> (input order), <c>longest</c> (most UTF-8 bytes),
/// or <c>max:FIELD</c> / <c>min:FIELD</c> (a numeric extra column or metadata field; documents without it lose).
/// Ties always go to the earlier document, so the choice is deterministic.
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

    private double? FieldValue(Document doc)
    {
        var column = doc[Field!];
        if (column is not null)
            return column is IConvertible c ? c.ToDouble(CultureInfo.InvariantCulture) : null;
        if (doc.Metadata.Length <= 2) return null;
        try
        {
            using var json = JsonDocument.Parse(doc.Metadata);
            if (!json.RootElement.TryGetProperty(Field!, out var value)) return null;
            return value.ValueKind switch
            {
                JsonValueKind.Number => value.GetDouble(),
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                _ => null,
            };
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
