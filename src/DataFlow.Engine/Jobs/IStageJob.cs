namespace DataFlow.Engine.Jobs;

/// <summary>
/// The work of one stage. <see cref="Plan"/> fixes each task's inputs and outputs once (it may read upstream
/// manifests, never upstream outputs, so a whole pipeline can be planned before anything runs);
/// <see cref="Run"/> does one task and writes only through <see cref="TaskContext.CreateOutput"/>.
/// </summary>
public interface IStageJob
{
    IReadOnlyList<TaskPlan> Plan(PlanContext context);

    void Run(TaskContext context);

    /// <summary>How many of this stage's tasks may run at once in one process (training stages use every core in one task).</summary>
    int MaxParallelTasks => int.MaxValue;
}
