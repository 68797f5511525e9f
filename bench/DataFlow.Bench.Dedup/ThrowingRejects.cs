using DataFlow.Engine.Documents;

namespace DataFlow.Bench.Dedup;

/// <summary>Bench inputs are clean: any reject is a harness error.</summary>
internal sealed class ThrowingRejects : IRejectSink
{
    public void Reject(Reject reject) => throw new BadInputException(reject);
}
