using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using YamlDotNet.RepresentationModel;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// Reads a training YAML file into an options record: YAML -> JSON (scalars typed as number, bool, null or string)
/// -> System.Text.Json with snake_case names, enum names and unknown keys rejected, so a typo names its key.
/// </summary>
public static class TrainingYaml
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static T Load<T>(string path) => Load<T>(path, new Dictionary<string, JsonNode?>());

    /// <summary>Loads <paramref name="path"/> with some keys set by the caller (a pipeline fills in paths of earlier stages).</summary>
    public static T Load<T>(string path, IReadOnlyDictionary<string, JsonNode?> overrides)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        if (stream.Documents.Count == 0) throw new InvalidDataException($"{path} is empty");
        var json = ToJson(stream.Documents[0].RootNode);
        if (overrides.Count > 0)
        {
            if (json is not JsonObject map) throw new InvalidDataException($"{path}: expected a mapping of keys");
            foreach (var (key, value) in overrides) map[key] = value?.DeepClone();
        }
        try
        {
            return json.Deserialize<T>(Options) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return JsonValue.Create(text);
        if (text is "" or "~" or "null") return null;
        if (text is "true" or "false") return JsonValue.Create(text == "true");
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
