namespace DataFlow.Text.Pii;

/// <summary>
/// What the scanner looks for. IP addresses are flagged only when public unless the private, loopback or
/// documentation ranges are asked for; multicast, reserved and unspecified addresses are never flagged.
/// </summary>
public sealed record PiiScanOptions
{
    public static PiiScanOptions Default { get; } = new();

    /// <summary>Every type and every IP range: what display masking uses, where over-masking is harmless.</summary>
    public static PiiScanOptions Everything { get; } = new()
    {
        IncludePrivateIps = true,
        IncludeLoopbackIps = true,
        IncludeDocumentationIps = true,
        IncludeSampleValues = true,
    };

    /// <summary>Types to detect; null means all.</summary>
    public IReadOnlySet<PiiType>? Types { get; init; }

    /// <summary>10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, fc00::/7, fe80::/10.</summary>
    public bool IncludePrivateIps { get; init; }

    /// <summary>127/8 and ::1.</summary>
    public bool IncludeLoopbackIps { get; init; }

    /// <summary>192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.</summary>
    public bool IncludeDocumentationIps { get; init; }

    /// <summary>Values published for documentation, tests and fiction (<see cref="PiiSampleValues"/>): example.com, 555-01xx, 4111 1111 1111 1111, ...</summary>
    public bool IncludeSampleValues { get; init; }

    public bool Detects(PiiType type) => Types is null || Types.Contains(type);
}
