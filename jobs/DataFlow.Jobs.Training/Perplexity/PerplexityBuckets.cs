namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// CCNet's head / middle / tail split: a document whose perplexity is below the corpus's <see cref="HeadPercentile"/>-th
/// percentile is <c>head</c>, below the <see cref="TailPercentile"/>-th <c>middle</c>, else <c>tail</c> (defaults 30 and 60,
/// as cc_net's PerplexityBucket). <see cref="Keep"/> names the buckets that stay; the others are dropped as
/// <c>perplexity.bucket_NAME</c>. With <see cref="GroupBy"/> the percentiles are taken within each value of that column
/// (CCNet's cut points are per language: <c>group_by: language</c> after a quality stage), <c>source</c> for the input file.
/// </summary>
public sealed record PerplexityBuckets
{
    public const string Head = "head", Middle = "middle", Tail = "tail";
    public static readonly IReadOnlyList<string> Names = [Head, Middle, Tail];

    public double HeadPercentile { get; init; } = 30;
    public double TailPercentile { get; init; } = 60;
    public string Column { get; init; } = "bucket";

    /// <summary>A column (or <c>source</c>) whose values get their own cut points; null for one set over the corpus.</summary>
    public string? GroupBy { get; init; }

    /// <summary>The group value of <paramref name="document"/> under <see cref="GroupBy"/> (null when not grouping; "" for a missing value).</summary>
    public string? GroupOf(DataFlow.Engine.Documents.Document document) => GroupBy switch
    {
        null => null,
        "source" => document.Source,
        var column => document[column]?.ToString() ?? "",
    };
    public IReadOnlySet<string> Keep { get; init; } = new HashSet<string>(Names, StringComparer.Ordinal);

    /// <summary>The bucket of <paramref name="perplexity"/> given the corpus's cut points (strictly below a cut point is the better bucket).</summary>
    public static string Of(double perplexity, double headCut, double tailCut) =>
        perplexity < headCut ? Head : perplexity < tailCut ? Middle : Tail;
}
