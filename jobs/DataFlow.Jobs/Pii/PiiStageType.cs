using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Pii;

namespace DataFlow.Jobs.Pii;

/// <summary>
/// <c>type: pii</c>. Keys (besides the document-stage ones): <c>types</c> (list, default all), <c>policy</c>
/// (tag | pseudonym | keep | drop, default tag), <c>policies</c> (map type -> policy), <c>drop_above</c> (0),
/// <c>include_private_ips</c>, <c>include_loopback_ips</c>, <c>include_documentation_ips</c>, <c>include_sample_values</c> (false),
/// <c>pseudonym_key_env</c> (DATAFLOW_PII_KEY), <c>scrub_metadata</c> (true).
/// </summary>
public sealed class PiiStageType : IStageType
{
    public string Name => "pii";
    public string Description => "detect personal data and secrets; tag, pseudonymize, keep or drop per type, with per-type counts";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = DocumentStageConfig.Read(section, settings);
        return [new StageDefinition(stageName, Name, new PiiJob(options, ReadSettings(section)))];
    }

    public static PiiStageSettings ReadSettings(ConfigSection section)
    {
        HashSet<PiiType>? types = null;
        if (section.GetStringList("types") is { } names)
            types = names.Select(n => ParseType(section, "types", n)).ToHashSet();
        var policies = new Dictionary<PiiType, PiiPolicy>();
        if (section.GetSection("policies") is { } map)
        {
            foreach (var key in map.Keys.ToList())
                policies[ParseType(map, key, key)] = ParsePolicy(map, key, map.RequireString(key));
        }
        var fallback = ParsePolicy(section, "policy", section.GetString("policy", "tag")!);
        var keyVariable = section.GetString("pseudonym_key_env", PiiStageSettings.DefaultKeyVariable)!;
        if (keyVariable.Length == 0 || !keyVariable.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw section.Error("pseudonym_key_env", "expected the NAME of an environment variable (the key itself never goes in config)");
        return new PiiStageSettings
        {
            Scan = new PiiScanOptions
            {
                Types = types,
                IncludePrivateIps = section.GetBool("include_private_ips", false),
                IncludeLoopbackIps = section.GetBool("include_loopback_ips", false),
                IncludeDocumentationIps = section.GetBool("include_documentation_ips", false),
                IncludeSampleValues = section.GetBool("include_sample_values", false),
            },
            Policies = policies,
            DefaultPolicy = fallback,
            DropAbove = section.GetInt("drop_above", 0, 0, 1_000_000),
            KeyVariable = keyVariable,
            ScrubMetadata = section.GetBool("scrub_metadata", true),
        };
    }

    private static PiiType ParseType(ConfigSection section, string key, string name) =>
        PiiTypes.TryParse(name, out var type) ? type
            : throw section.Error(key, $"unknown PII type '{name}' (known: {string.Join(", ", PiiTypes.All.Select(PiiTypes.ConfigName))})");

    private static PiiPolicy ParsePolicy(ConfigSection section, string key, string value) =>
        Enum.TryParse<PiiPolicy>(value, ignoreCase: true, out var p) && !int.TryParse(value, out _) ? p
            : throw section.Error(key, $"expected tag, pseudonym, keep or drop, got '{value}'");
}
