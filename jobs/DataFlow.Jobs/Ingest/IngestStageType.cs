using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Ingest;

public sealed class IngestStageType : IStageType
{
    public string Name => "ingest";
    public string Description => "read raw JSONL / JSONL.gz / JSONL.zst / Parquet / text folders into Parquet document shards";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings) =>
        [new StageDefinition(stageName, Name, new IngestJob(DocumentStageConfig.Read(section, settings, inputRequired: true)))];
}
