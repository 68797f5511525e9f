namespace DataFlow.Jobs.Dedup;

/// <summary>Names of the engine stages one dedup stage becomes and of the files they exchange.</summary>
public sealed record DedupLayout(string StageName)
{
    public string Signatures => StageName + ".signatures";
    public string Buckets => StageName + ".buckets";
    public string Clusters => StageName + ".clusters";
    public string Index => StageName + ".index";
    public string Filter => StageName;

    /// <summary>Partition j of signatures task i: band records (j below the near partitions) or exact records.</summary>
    public static string PartitionFile(string dir, int task, int partition) => Path.Combine(dir, $"part-{task:D5}-p{partition:D4}.bin");
    public static string DocInfoFile(string dir, int task) => Path.Combine(dir, $"docs-{task:D5}.bin");
    public static string SignatureFile(string dir, int task) => Path.Combine(dir, $"minhash-{task:D5}.bin");
    public static string PairsFile(string dir, int partition) => Path.Combine(dir, $"pairs-p{partition:D4}.bin");
    public static string RemovalFile(string dir, int task) => Path.Combine(dir, $"remove-{task:D5}.bin");

    public const string SignatureKind = "dedup-minhash";
}
