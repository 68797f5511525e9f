namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// One scored document in a scoring task's scores file: the perplexity that buckets read and the XxHash64 of its
/// group's value (<see cref="PerplexityBuckets.GroupBy"/>; 0 when the corpus is one group).
/// </summary>
public readonly record struct PerplexityScoreRecord(double Score, ulong Group)
{
    public const string Kind = "perplexity";

    public static ulong GroupOf(string? value) =>
        value is null ? 0 : System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(value)) | 1; // never 0: that is "no group_by"
}
