using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Ingest;

/// <summary>Raw files (JSONL, JSONL.gz/.zst, Parquet, text folders) to Parquet document shards; bad records go to rejects/.</summary>
public sealed class IngestJob(DocumentStageOptions options) : DocumentStageJob(options)
{
    protected override IDocumentProcessor CreateProcessor(TaskContext context) => new KeepAll();

    private sealed class KeepAll : IDocumentProcessor
    {
        public DocumentVerdict Process(Document document) => DocumentVerdict.Keep;
    }
}
