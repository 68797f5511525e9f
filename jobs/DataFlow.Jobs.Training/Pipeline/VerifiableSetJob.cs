using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Sft;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>Writes the synthetic verifiable instruction set (SFT train/eval, preference train/eval) as one task.</summary>
public sealed class VerifiableSetJob(int trainCount, int evalCount, int seed, int maxOperand) : IStageJob
{
    public static readonly string[] Files = ["sft-train.jsonl", "sft-eval.jsonl", "pairs-train.jsonl", "pairs-eval.jsonl"];

    public int MaxParallelTasks => 1;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context) =>
        [new TaskPlan(0, [], Files.Select(f => Path.Combine(context.OutputDir, f)).ToList())];

    public void Run(TaskContext context)
    {
        var scratch = Path.Combine(Path.GetDirectoryName(context.Plan.Outputs[0])!, $".scratch-{Environment.ProcessId}");
        VerifiableSetWriter.Write(scratch, trainCount, evalCount, seed, maxOperand);
        foreach (var output in context.Plan.Outputs)
        {
            File.Move(Path.Combine(scratch, Path.GetFileName(output)), context.CreateOutput(output), overwrite: true);
            context.Stats.Add($"records.{Path.GetFileNameWithoutExtension(output)}", File.ReadLines(context.CreateOutput(output)).Count());
        }
        Directory.Delete(scratch, recursive: true);
    }
}
