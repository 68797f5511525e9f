using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Reward;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>Reward model on a verifiable set's preference pairs, initialized from an earlier SFT stage's model.</summary>
public sealed class RewardStageJob(string configFile, StageReference data, StageReference init) : TrainingStageJob
{
    private static readonly (int Reference, int Output)[] Needs = [(0, 2), (0, 3), (1, -1)];

    private static Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["train"] = new JsonArray(inputs[0]!),
        ["eval"] = new JsonArray(inputs[1]!),
        ["init"] = inputs[2],
        ["output"] = outputDir,
    };

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context) => PlanFrom(context, [data, init], Needs);

    protected override TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log) =>
        RewardJob.Run(configFile, Overrides(InputsOf(context), outputDir), log, parallel, OnErrorFor(context));
}
