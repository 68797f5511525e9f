using System.Text.Json.Nodes;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>SFT on a verifiable set's SFT files, starting from an earlier pretrain stage's model when there is one.</summary>
public sealed class SftStageJob(string configFile, StageReference data, StageReference init) : TrainingStageJob
{
    private static readonly (int Reference, int Output)[] Needs = [(0, 0), (0, 1), (1, -1)];

    private static Dictionary<string, JsonNode?> Overrides(IReadOnlyList<string?> inputs, string outputDir)
    {
        var keys = new Dictionary<string, JsonNode?>
        {
            ["train"] = new JsonArray(inputs[0]!),
            ["eval"] = new JsonArray(inputs[1]!),
            ["output"] = outputDir,
        };
        if (inputs[2] is { } model) keys["init"] = model;
        return keys;
    }

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context) => PlanFrom(context, [data, init], Needs);

    protected override TrainingSummary Train(TaskContext context, string outputDir, DataParallel parallel, Action<string> log) =>
        SftJob.Run(configFile, Overrides(InputsOf(context), outputDir), log, parallel, OnErrorFor(context));
}
