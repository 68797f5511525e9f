using DataFlow.Engine.Documents;
using DataFlow.Text.Pii;

namespace DataFlow.Jobs.Pii;

/// <summary>Masks the reason and excerpt of every bad input record before the engine writes or shows it.</summary>
internal sealed class MaskingRejectSink(IRejectSink inner) : IRejectSink
{
    public void Reject(Reject reject) =>
        inner.Reject(reject with { Reason = PiiMask.ForDisplay(reject.Reason), Excerpt = reject.Excerpt is null ? null : PiiMask.ForDisplay(reject.Excerpt) });
}
