using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Eval;
using DataFlow.Jobs.Training.Perplexity;
using DataFlow.Jobs.Training.Pipeline;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Jobs.Training.Sft;

namespace DataFlow.Jobs.Training;

/// <summary>The training stage types, for catalogs that run training (the CLI's): <c>StandardStages.Create().AddTraining()</c>.</summary>
public static class TrainingStages
{
    public static StageCatalog AddTraining(this StageCatalog catalog) => catalog
        .Add(new PretrainStageType())
        .Add(new VerifiableSetStageType())
        .Add(new SftPrepareStageType())
        .Add(new TrainingStageTypes("sft"))
        .Add(new TrainingStageTypes("reward"))
        .Add(new TrainingStageTypes("ppo"))
        .Add(new EvalStageType())
        .Add(new PerplexityStageType());
}
