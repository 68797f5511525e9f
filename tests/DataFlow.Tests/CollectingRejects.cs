using DataFlow.Engine.Documents;

namespace DataFlow.Tests;

public sealed class CollectingRejects : IRejectSink
{
    public List<Reject> Items { get; } = [];
    public void Reject(Reject reject) => Items.Add(reject);
}
