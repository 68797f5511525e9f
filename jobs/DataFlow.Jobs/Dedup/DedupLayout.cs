namespace DataFlow.Jobs.Dedup;

/// <summary>Names of the engine stages one dedup stage becomes and of the files they exchange.</summary>
public sealed record DedupLayout(string StageName)
{
    public string Signatures => StageName + ".signatures";
    public string Buckets => StageName + ".buckets";
    public string Clusters => StageName + ".clusters";
    /// <summary>True when sentence-span stages follow the document-level ones: the document filter is then NAME.documents.</summary>
    public bool SentencesAfterDocuments { get; init; }

    /// <summary>Writes the index (<c>write_index</c>): after the clusters, before the document filter (whatever its name).</summary>
    public string Index => StageName + ".index";
    public string Filter => SentencesAfterDocuments ? StageName + ".documents" : StageName;
    public string SentenceSignatures => StageName + ".sentences";
    public string SentenceFinder => StageName + ".spans";
    public string SentenceFilter => StageName;

    /// <summary>Partition j of signatures task i: band records (j below the near partitions) or exact records.</summary>
    public static string PartitionFile(string dir, int task, int partition) => Path.Combine(dir, $"part-{task:D5}-p{partition:D4}.bin");
    public static string DocInfoFile(string dir, int task) => Path.Combine(dir, $"docs-{task:D5}.bin");
    public static string SignatureFile(string dir, int task) => Path.Combine(dir, $"minhash-{task:D5}.bin");
    public static string PairsFile(string dir, int partition) => Path.Combine(dir, $"pairs-p{partition:D4}.bin");
    public static string RemovalFile(string dir, int task) => Path.Combine(dir, $"remove-{task:D5}.bin");

    /// <summary>Partition j of sentence-signatures task i: span records whose hash falls in range j.</summary>
    public static string SpanFile(string dir, int task, int partition) => Path.Combine(dir, $"spans-{task:D5}-p{partition:D4}.bin");

    /// <summary>What finder task j (hash range j) found for sentence-signatures task i to cut.</summary>
    public static string CutFile(string dir, int partition, int task) => Path.Combine(dir, $"cuts-p{partition:D4}-{task:D5}.bin");

    public const string SignatureKind = "dedup-minhash";
}
