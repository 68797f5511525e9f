using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataFlow.Engine.Documents;

/// <summary>
/// The metadata column keeps JSON as the input wrote it, escapes included (<c>\u002B44 20 ...</c>, <c>\u00fc</c>);
/// a scanner looking for "+44" or "ü" would not see them. This rewrites such JSON with only the escapes JSON requires.
/// </summary>
public static class RelaxedJson
{
    /// <summary>Writes JSON with only the escapes JSON requires (non-ASCII text stays readable).</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The same JSON value with \u escapes of ordinary characters written as the characters; invalid JSON is returned unchanged.</summary>
    public static string Unescape(string json)
    {
        if (!json.Contains("\\u", StringComparison.Ordinal)) return json;
        try
        {
            return JsonNode.Parse(json)?.ToJsonString(Options) ?? json;
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
