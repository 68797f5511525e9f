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

    /// <summary>
    /// Whether a task can run as several cooperating processes (<c>resources: {ranks: N}</c>, e.g. data-parallel
    /// training): every rank runs <see cref="Run"/> on the same plan, the job sets <see cref="TaskContext.Rank"/>, and
    /// only rank 0 commits. Jobs that split work by task, not by process, keep the default and reject ranks > 1.
    /// </summary>
    bool SupportsRanks => false;

    /// <summary>
    /// Whether the stage trains a model: it reports <see cref="TrainingStats"/> (steps, tokens, loss) and step progress
    /// (<see cref="TaskProgress.StartSteps"/>) instead of documents, and the console and <c>dataflow status</c> show those.
    /// </summary>
    bool IsTraining => false;
}
