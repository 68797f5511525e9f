using DataFlow.Text.Pii;

namespace DataFlow.Jobs.Pii;

/// <summary>The pii stage's own keys, validated when the pipeline is loaded.</summary>
public sealed record PiiStageSettings
{
    public const string DefaultKeyVariable = "DATAFLOW_PII_KEY";

    public PiiScanOptions Scan { get; init; } = PiiScanOptions.Default;
    public IReadOnlyDictionary<PiiType, PiiPolicy> Policies { get; init; } = new Dictionary<PiiType, PiiPolicy>();
    public PiiPolicy DefaultPolicy { get; init; } = PiiPolicy.Tag;
    public int DropAbove { get; init; }

    /// <summary>Environment variable that holds the pseudonym key. Only the name is configured: the run folder records the pipeline.</summary>
    public string KeyVariable { get; init; } = DefaultKeyVariable;

    /// <summary>Also scrub the metadata JSON (with tags, which keep the JSON valid).</summary>
    public bool ScrubMetadata { get; init; } = true;

    public bool UsesPseudonyms =>
        DefaultPolicy == PiiPolicy.Pseudonym && PiiTypes.All.Any(t => !Policies.ContainsKey(t)) || Policies.Values.Contains(PiiPolicy.Pseudonym);
}
