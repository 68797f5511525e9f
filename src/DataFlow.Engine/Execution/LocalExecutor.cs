using System.Diagnostics;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>
/// The embedded executor: runs stages in order and each stage's unfinished tasks in parallel on a pool of
/// worker threads in this process. Completed tasks are skipped, so a rerun after a crash or Ctrl-C resumes.
/// A stage with <c>resources: {ranks: N}</c> runs each task as N processes under mpirun instead (<see cref="MpirunTaskLauncher"/>).
/// </summary>
public sealed class LocalExecutor(int workers, IExecutionObserver? observer = null)
{
    private readonly IExecutionObserver _observer = observer ?? new NullObserver();

    /// <summary>The command that starts the CLI (its <c>task</c> command runs a task's ranks); needed for stages with ranks > 1.</summary>
    public IReadOnlyList<string>? TaskLauncher { get; init; }

    public void Run(RunFolder run, Pipeline pipeline, CancellationToken cancellation, string? onlyStage = null)
    {
        var planner = new StagePlanner(run, pipeline);
        planner.PlanAll();
        foreach (var stage in pipeline.Stages)
        {
            if (onlyStage is not null && stage.Name != onlyStage) continue;
            cancellation.ThrowIfCancellationRequested();
            RunStage(run, stage, planner.Manifest(stage.Name), cancellation);
        }
    }

    private void RunStage(RunFolder run, StageDefinition stage, StageManifest manifest, CancellationToken cancellation)
    {
        var pending = manifest.Tasks.Where(t => !run.IsDone(stage.Name, t.Index)).ToList();
        var ranked = stage.Resources.Ranks <= 1 || pending.Count == 0 ? null : new MpirunTaskLauncher(run, stage, TaskLauncher
            ?? throw new InvalidOperationException($"stage '{stage.Name}' runs each task on {stage.Resources.Ranks} ranks, started through the CLI: run it with `dataflow run`"));
        _observer.StageStarted(stage, manifest, manifest.Tasks.Count - pending.Count);
        var clock = Stopwatch.StartNew();
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var parallel = Math.Max(1, Math.Min(workers, stage.Job.MaxParallelTasks));
        Exception? failure = null;
        var queue = new Queue<TaskPlan>(pending);
        var threads = Enumerable.Range(0, Math.Min(parallel, pending.Count)).Select(_ => new Thread(() =>
        {
            while (true)
            {
                TaskPlan plan;
                lock (queue)
                {
                    if (queue.Count == 0 || failFast.IsCancellationRequested) return;
                    plan = queue.Dequeue();
                }
                try
                {
                    if (ranked is not null)
                    {
                        ranked.Run(plan, failFast.Token);
                        continue;
                    }
                    TaskContext? context = null;
                    TaskRunner.Run(run, stage, plan, failFast.Token, c => { context = c; _observer.TaskStarted(c); });
                    if (context is not null) _observer.TaskFinished(context);
                }
                catch (Exception e)
                {
                    lock (queue)
                    {
                        if (failure is null && !(e is OperationCanceledException && cancellation.IsCancellationRequested))
                            failure = new TaskFailedException(stage.Name, plan.Index, e);
                    }
                    failFast.Cancel();
                    return;
                }
            }
        }, 16 << 20) { IsBackground = true, Name = $"{stage.Name}-worker" }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        cancellation.ThrowIfCancellationRequested();
        if (failure is not null) throw failure;
        var stats = TaskRunner.WriteStageStats(run, manifest);
        _observer.StageFinished(stage, stats, clock.Elapsed);
    }

    private sealed class NullObserver : IExecutionObserver;
}
