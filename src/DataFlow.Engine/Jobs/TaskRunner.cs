using System.Diagnostics;
using DataFlow.Engine.Documents;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// Runs exactly one task under the job model: skip if its completion marker exists; otherwise run the job,
/// rename its outputs into place, write its stats, and write the marker last. A kill at any instant leaves
/// either no marker (the task reruns from scratch) or a complete task. A task run by several ranks (processes) runs
/// this on each; only rank 0 commits, and the others return <see cref="Outcome.CommittedByRankZero"/>.
/// </summary>
public static class TaskRunner
{
    public enum Outcome { Completed, AlreadyDone, CommittedByRankZero }

    public static Outcome Run(RunFolder run, StageDefinition stage, TaskPlan plan, CancellationToken cancellation,
        Action<TaskContext>? onStart = null)
    {
        if (run.IsDone(stage.Name, plan.Index)) return Outcome.AlreadyDone;
        // Every rank clears stale temporaries here, before it joins the others; rank 0 writes its own only after that.
        foreach (var output in plan.Outputs) AtomicFile.DeleteTemporaries(output);
        var rejectsPath = run.RejectsFile(stage.Name, plan.Index);
        AtomicFile.DeleteTemporaries(rejectsPath);
        // A kill between writing the stats or the marker and renaming it leaves their temporaries too.
        AtomicFile.DeleteTemporaries(run.TaskStatsFile(stage.Name, plan.Index));
        AtomicFile.DeleteTemporaries(run.DoneMarker(stage.Name, plan.Index));

        var stats = new TaskStats();
        using var rejects = new RejectFileSink(rejectsPath, stage.OnError, stats);
        var context = new TaskContext(run, stage, plan, rejects, cancellation);
        onStart?.Invoke(context);
        var clock = Stopwatch.StartNew();
        try
        {
            stage.Job.Run(context);
        }
        catch
        {
            Discard(context, rejects);
            throw;
        }
        cancellation.ThrowIfCancellationRequested();
        if (context.Rank != 0 || (context.Ranks > 1 && !context.RankKnown))
        {
            Discard(context, rejects);
            return context.RankKnown ? Outcome.CommittedByRankZero
                : throw new InvalidOperationException($"task {stage.Name}[{plan.Index}] ran on {context.Ranks} ranks, but its job never said which rank it was");
        }
        foreach (var output in plan.Outputs)
            if (!context.CreatedOutputs.ContainsKey(output))
                throw new InvalidOperationException($"task {stage.Name}[{plan.Index}] finished without writing its planned output {output}");

        foreach (var (final, temp) in context.CreatedOutputs) File.Move(temp, final, overwrite: true);
        rejects.Dispose();
        if (rejects.HasRejects) File.Move(rejects.TempPath, rejects.FinalPath, overwrite: true);
        else TryDelete(rejects.FinalPath);

        var merged = TaskStats.Merge([stats, context.Stats], int.MaxValue);
        merged.SetValue("seconds", clock.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(run.TaskStatsFile(stage.Name, plan.Index), merged.ToJson());
        AtomicFile.WriteAllText(run.DoneMarker(stage.Name, plan.Index), DateTime.UtcNow.ToString("O"));
        return Outcome.Completed;
    }

    /// <summary>Merges the stats of every completed task of a stage (what is done so far).</summary>
    public static TaskStats StageStats(RunFolder run, StageManifest manifest)
    {
        var parts = manifest.Tasks
            .Where(t => File.Exists(run.TaskStatsFile(manifest.Stage, t.Index)))
            .Select(t => TaskStats.Load(run.TaskStatsFile(manifest.Stage, t.Index)));
        return TaskStats.Merge(parts);
    }

    /// <summary>Writes the stage's merged stats.json (after removing a killed writer's temporary) and returns them.</summary>
    public static TaskStats WriteStageStats(RunFolder run, StageManifest manifest)
    {
        var path = run.StageStatsFile(manifest.Stage);
        AtomicFile.DeleteTemporaries(path);
        var stats = StageStats(run, manifest);
        AtomicFile.WriteAllText(path, stats.ToJson());
        return stats;
    }

    private static void Discard(TaskContext context, RejectFileSink rejects)
    {
        rejects.Dispose();
        foreach (var temp in context.CreatedOutputs.Values) TryDelete(temp);
        TryDelete(rejects.TempPath);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
