using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Ppo;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>PPO on a verifiable set's prompts: actor from an SFT stage, critic and scorer from a reward stage.</summary>
public sealed class PpoStageJob(string configFile, StageReference data, StageReference actor, StageReference reward)
    : TrainingStageJob
{
    private static readonly (int Reference, int Output)[] Needs = [(0, 0), (0, 1), (1, -1), (2, -1)];

    private static Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir) => new()
    {
        ["prompts"] = new JsonArray(inputs[0]!),
        ["eval_prompts"] = new JsonArray(inputs[1]!),
        ["actor"] = inputs[2],
        ["reward"] = inputs[3],
        ["output"] = outputDir,
    };

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context) => PlanFrom(context, [data, actor, reward], Needs);

    protected override TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log) =>
        PpoJob.Run(configFile, Overrides(InputsOf(context), outputDir), log, parallel, OnErrorFor(context));
}
