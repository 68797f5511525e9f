namespace DataFlow.Engine.Documents;

/// <summary>
/// Masks the reason and excerpt of every bad input record before it is written to rejects/ or shown (stats examples,
/// fail messages). The excerpt is masked whole, then cut, so a cut never exposes half a value.
/// </summary>
public sealed class MaskingRejectSink(IRejectSink inner, Func<string, string> mask) : IRejectSink
{
    /// <summary>Characters of a masked excerpt that are kept.</summary>
    public const int MaxExcerpt = 200;

    public void Reject(Reject reject)
    {
        var excerpt = reject.Excerpt is null ? null : mask(reject.Excerpt);
        if (excerpt is { Length: > MaxExcerpt }) excerpt = excerpt[..MaxExcerpt];
        inner.Reject(reject with { Reason = mask(reject.Reason), Excerpt = excerpt });
    }
}
