namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// CCNet's head / middle / tail split: a document whose perplexity is below the corpus's <see cref="HeadPercentile"/>-th
/// percentile is <c>head</c>, below the <see cref="TailPercentile"/>-th <c>middle</c>, else <c>tail</c> (defaults 30 and 60,
/// as cc_net's PerplexityBucket). <see cref="Keep"/> names the buckets that stay; the others are dropped as
/// <c>perplexity.bucket_NAME</c>.
/// </summary>
public sealed record PerplexityBuckets
{
    public const string Head = "head", Middle = "middle", Tail = "tail";
    public static readonly IReadOnlyList<string> Names = [Head, Middle, Tail];

    public double HeadPercentile { get; init; } = 30;
    public double TailPercentile { get; init; } = 60;
    public string Column { get; init; } = "bucket";
    public IReadOnlySet<string> Keep { get; init; } = new HashSet<string>(Names, StringComparer.Ordinal);

    /// <summary>The bucket of <paramref name="perplexity"/> given the corpus's cut points (strictly below a cut point is the better bucket).</summary>
    public static string Of(double perplexity, double headCut, double tailCut) =>
        perplexity < headCut ? Head : perplexity < tailCut ? Middle : Tail;
}
