using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Dedup;
using DataFlow.Jobs.Ingest;
using DataFlow.Jobs.Pii;
using DataFlow.Jobs.Report;
using DataFlow.Jobs.Sample;
using DataFlow.Jobs.Testing;
using DataFlow.Jobs.Tokenize;

namespace DataFlow.Jobs;

/// <summary>Every stage type a pipeline may name. Adding a stage type is one line here.</summary>
public static class StandardStages
{
    public static StageCatalog Create() => new StageCatalog()
        .Add(new IngestStageType())
        .Add(new SampleStageType())
        .Add(new Extract.ExtractStageType())
        .Add(new UrlFilter.UrlFilterStageType())
        .Add(new TokenizeStageType())
        .Add(new TokenizerTrainStageType())
        .Add(new PiiStageType())
        .Add(new Quality.QualityStageType())
        .Add(new Classify.ClassifierTrainStageType())
        .Add(new Classify.ClassifyStageType())
        .Add(new DedupStageType())
        .Add(new SubstringDedupStageType())
        .Add(new ReportStageType())
        .Add(new FaultInjectionStageType());
}
