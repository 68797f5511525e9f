using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>
/// One stage's row in the run summary or <c>dataflow status</c>: its merged stats, how many tasks (or "done/total",
/// "not planned"), seconds, whether it is a training stage (<see cref="IStageJob.IsTraining"/>) and, under Slurm, its
/// queue states.
/// </summary>
public sealed record StageSummary(string Stage, string Type, bool Training, string Tasks, TaskStats Stats, double Seconds, string? Slurm = null);
