using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Report;

public sealed class ReportStageType : IStageType
{
    public string Name => "report";
    public string Description => "static HTML report of the run (stats, drop reasons, charts, training curves, samples), PII masked";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings) =>
        [new StageDefinition(stageName, Name, new ReportJob())];
}
