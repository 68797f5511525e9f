using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Sample;

/// <summary>Keys: <c>fraction</c> (required, 0..1), <c>seed</c> (0), plus the common document-stage keys.</summary>
public sealed class SampleStageType : IStageType
{
    public string Name => "sample";
    public string Description => "keep a deterministic fraction of documents, chosen by a seeded hash of the id";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        if (!section.Has("fraction")) throw new ConfigException($"{section.File}:{section.Line}: stage '{stageName}' needs 'fraction' (0..1)");
        var fraction = section.GetDouble("fraction", 1, 0, 1);
        var seed = section.GetLong("seed", 0);
        return [new StageDefinition(stageName, Name, new SampleJob(DocumentStageConfig.Read(section, settings), fraction, seed))];
    }
}
