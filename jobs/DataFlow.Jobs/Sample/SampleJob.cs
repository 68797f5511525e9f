using System.IO.Hashing;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Sample;

/// <summary>
/// Keeps a deterministic fraction of documents, chosen by a seeded hash of the id, so the same documents are
/// kept on every rerun and on every executor (useful for quick experiments on a slice of a corpus).
/// </summary>
public sealed class SampleJob(DocumentStageOptions options, double fraction, long seed) : DocumentStageJob(options)
{
    protected override IDocumentProcessor CreateProcessor(TaskContext context) => new Sampler(fraction, seed);

    private sealed class Sampler(double fraction, long seed) : IDocumentProcessor
    {
        private readonly ulong _threshold = fraction >= 1 ? ulong.MaxValue : (ulong)(fraction * ulong.MaxValue);

        public DocumentVerdict Process(Document document) =>
            XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(document.Id), seed) <= _threshold
                ? DocumentVerdict.Keep
                : DocumentVerdict.Drop("sample.not_selected");
    }
}
