using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>
/// <c>type: pretrain</c>: the keys of a <c>conf/train/*.yaml</c> file (<c>data</c>, <c>output</c>, <c>model</c>, <c>training</c>)
/// as a pipeline stage. <c>data</c> defaults to the previous stage's output (a tokenize stage's dataset folder),
/// <c>output</c> to the stage's own output folder. One task, using every core; a rerun resumes from its checkpoints.
/// </summary>
public sealed class PretrainStageType : IStageType
{
    public string Name => "pretrain";
    public string Description => "pretrain a LLaMA-style model on token shards (AdamW, warmup-cosine, checkpoints with exact resume)";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var pretrain = PretrainSettings.Read(section, settings.BaseDir, defaultOutput: "", dataFromPipeline: true);
        return [new StageDefinition(stageName, Name, new PretrainJob(pretrain, section.Has("output")))];
    }
}
