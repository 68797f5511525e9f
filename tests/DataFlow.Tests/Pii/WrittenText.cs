using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Tests.Pii;

/// <summary>The text a run wrote to a file, as the leak scans search it.</summary>
public static class WrittenText
{
    /// <summary>What a reader of the file would see: Parquet read back row by row, JSON unescaped, anything else as text.</summary>
    public static string Decoded(string file)
    {
        var sb = new StringBuilder();
        if (file.EndsWith(".parquet"))
        {
            try
            {
                foreach (var doc in ParquetDocumentReader.Read(file, ReadOptions.Default, new CollectingRejects()))
                {
                    sb.Append(doc.Id).Append('\n').Append(doc.Text).Append('\n').Append(doc.Source).Append('\n').Append(doc.Metadata).Append('\n');
                    using (var metadata = JsonDocument.Parse(doc.Metadata)) AppendStrings(metadata.RootElement, sb);   // escapes decoded
                    foreach (var (name, value) in doc.Columns ?? []) sb.Append(name).Append('=').Append(value).Append('\n');
                }
            }
            catch (Exception e) when (e is InvalidDataException or InvalidOperationException or IOException)
            {
                // Not a document shard (dedup records, token shards): read its bytes as text.
            }
        }
        var raw = File.ReadAllText(file);
        sb.Append(raw).Append('\n');
        foreach (var line in raw.Split('\n').Append(raw))
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                AppendStrings(json.RootElement, sb);
            }
            catch (JsonException) { }
        }
        return sb.ToString();
    }

    private static void AppendStrings(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                sb.Append(e.GetString()).Append('\n');
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    sb.Append(p.Name).Append('\n');
                    AppendStrings(p.Value, sb);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) AppendStrings(item, sb);
                break;
        }
    }
}
