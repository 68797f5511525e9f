using System.Diagnostics;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>
/// Runs a pipeline on Slurm: every stage becomes job arrays of <c>dataflow task</c> calls (only tasks without a
/// completion marker, so a resubmission resumes), chained with <c>afterok</c> so a failed stage stops its
/// dependents. Arrays are split where indices would reach the cluster's MaxArraySize. The executor only plans,
/// submits and reads state back; each task runs in its own process on a compute node.
/// </summary>
public sealed class SlurmExecutor(SlurmClient client, SlurmOptions options)
{
    /// <summary>Plans every stage, writes the stage scripts and submits the unfinished tasks.</summary>
    /// <param name="launcher">How compute nodes start the CLI: the absolute path of the executable (plus the dll under dotnet).</param>
    /// <param name="onlyStage">Submit just this stage (an orchestrator such as Airflow runs stage by stage); earlier stages must be complete.</param>
    public SlurmSubmission Submit(RunFolder run, Pipeline pipeline, IReadOnlyList<string> launcher, string? onlyStage = null)
    {
        options.Validate();
        if (launcher.Count == 0) throw new ArgumentException("the task launcher command is empty");
        if (SlurmSubmission.Load(run) is { } previous)
        {
            var active = client.Queue().Where(e => previous.JobIds.Contains(e.JobId)).Select(e => e.JobId).Distinct().ToList();
            if (active.Count > 0)
                throw new InvalidOperationException(
                    $"run {run.Root} still has Slurm jobs in the queue ({string.Join(", ", active)}); wait for them or `dataflow cancel {run.Root}` first");
        }

        var planner = new StagePlanner(run, pipeline);
        planner.PlanAll(); // manifests exist before any task starts, so tasks never race to plan
        if (onlyStage is not null)
        {
            var position = pipeline.IndexOf(pipeline.Stage(onlyStage).Name);
            foreach (var earlier in pipeline.Stages.Take(position))
                if (planner.Manifest(earlier.Name).Tasks.Any(t => !run.IsDone(earlier.Name, t.Index)))
                    throw new InvalidOperationException($"stage '{onlyStage}' needs stage '{earlier.Name}' complete first");
        }
        var limit = client.MaxArraySize();
        if (options.MaxArraySize > 0) limit = Math.Min(limit, options.MaxArraySize);
        Directory.CreateDirectory(Path.Combine(run.LogsDir, "slurm"));

        var jobs = new List<SlurmArrayJob>();
        var submission = new SlurmSubmission(DateTime.UtcNow, jobs);
        foreach (var stage in pipeline.Stages.Where(s => onlyStage is null || s.Name == onlyStage))
        {
            var manifest = planner.Manifest(stage.Name);
            var pending = manifest.Tasks.Select(t => t.Index).Where(i => !run.IsDone(stage.Name, i)).ToList();
            if (pending.Count == 0) continue;
            var perJob = stage.Resources.TasksPerJob;
            var script = SlurmArrayScript.ScriptPath(run, stage.Name);
            AtomicFile.WriteAllText(script, SlurmArrayScript.Build(run, stage.Name, launcher, options.Retries, stage.Resources.Ranks,
                perJob, manifest.Tasks.Count));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            // Every stage may read any earlier stage's output, so it waits for all jobs submitted before it.
            var dependency = jobs.Count > 0 ? "afterok:" + string.Join(':', jobs.Select(j => j.JobId)) : null;
            // Array element g runs the tasks g * perJob .. g * perJob + perJob - 1 (tasks_per_job), completed ones skipped.
            foreach (var chunk in pending.GroupBy(i => i / perJob / limit).OrderBy(g => g.Key))
            {
                var offset = chunk.Key * limit;
                var tasks = chunk.ToList();
                var elements = tasks.Select(i => i / perJob - offset).Distinct();
                var id = client.Submit(SbatchArgs(run, stage, elements, dependency), script, [offset.ToString()]);
                jobs.Add(new SlurmArrayJob(stage.Name, id, offset, tasks) { TasksPerJob = perJob });
                submission.Save(run); // saved after every sbatch, so a later failure still leaves everything cancellable
            }
        }
        submission.Save(run);
        return submission;
    }

    /// <summary>The sbatch flags of one array: the stage's <c>resources:</c> where set, else the submit options.</summary>
    private List<string> SbatchArgs(RunFolder run, StageDefinition stage, IEnumerable<int> arrayIndices, string? dependency)
    {
        var resources = stage.Resources;
        var maxParallel = resources.MaxParallel ?? options.MaxParallel;
        var array = ArrayRanges.Format(arrayIndices) + (maxParallel > 0 ? $"%{maxParallel}" : "");
        var args = new List<string>
        {
            $"--job-name=df-{stage.Name}",
            $"--array={array}",
            $"--output={Path.Combine(run.LogsDir, "slurm", stage.Name + "-%A_%a.out")}",
            $"--chdir={run.RecordedBaseDir() ?? run.Root}",
            $"--cpus-per-task={resources.CpusPerTask ?? options.CpusPerTask}",
            "--kill-on-invalid-dep=yes",
        };
        if (resources.Ranks > 1) args.Add($"--ntasks={resources.Ranks}"); // one array element = one task on N ranks, cpus_per_task each
        if ((resources.Partition ?? options.Partition) is { } p) args.Add($"--partition={p}");
        if ((resources.Memory ?? options.Memory) is { } m) args.Add($"--mem={m}");
        if ((resources.TimeLimit ?? options.TimeLimit) is { } t) args.Add($"--time={t}");
        if (dependency is not null) args.Add($"--dependency={dependency}");
        return args;
    }

    /// <summary>Completion markers, queue states and failure markers of every stage, read now.</summary>
    public SlurmRunStatus Inspect(RunFolder run, Pipeline pipeline)
    {
        var submission = SlurmSubmission.Load(run);
        var queue = submission is null ? [] : client.Queue();
        var jobs = submission?.Jobs.ToDictionary(j => j.JobId) ?? [];
        var queued = new Dictionary<(string Stage, int Task), string>();
        foreach (var entry in queue)
        {
            if (!jobs.TryGetValue(entry.JobId, out var job)) continue;
            if (entry.ArrayIndex is { } k) foreach (var t in job.TasksOf(k)) queued[(job.Stage, t)] = entry.State;
            else foreach (var t in job.Tasks) queued.TryAdd((job.Stage, t), entry.State); // array not yet expanded
        }

        var stages = new List<SlurmStageStatus>();
        foreach (var stage in pipeline.Stages)
        {
            if (!File.Exists(run.ManifestFile(stage.Name)))
            {
                stages.Add(new SlurmStageStatus(stage.Name, 0, 0, new Dictionary<string, int>(), []));
                continue;
            }
            var manifest = StageManifest.Load(run.ManifestFile(stage.Name));
            var done = 0;
            var states = new Dictionary<string, int>(StringComparer.Ordinal);
            var failures = new List<SlurmTaskFailure>();
            foreach (var task in manifest.Tasks)
            {
                if (run.IsDone(stage.Name, task.Index)) { done++; continue; }
                if (queued.TryGetValue((stage.Name, task.Index), out var state)) states[state] = states.GetValueOrDefault(state) + 1;
                else if (SlurmTaskFailure.Load(SlurmArrayScript.FailureMarker(run, stage.Name, task.Index)) is { } failure) failures.Add(failure);
            }
            stages.Add(new SlurmStageStatus(stage.Name, manifest.Tasks.Count, done, states, failures));
        }
        return new SlurmRunStatus(stages);
    }

    /// <summary>
    /// Polls until none of the submission's jobs is in the queue, then returns the final status; writes each
    /// complete stage's merged stats.json, as the local executor does.
    /// </summary>
    public SlurmRunStatus Wait(RunFolder run, Pipeline pipeline, SlurmSubmission submission, Action<string> progress,
        CancellationToken cancellation, TimeSpan? poll = null)
    {
        var ids = submission.JobIds.ToHashSet();
        var clock = Stopwatch.StartNew();
        TimeSpan? lastReport = null;
        while (client.Queue().Any(e => ids.Contains(e.JobId)))
        {
            if (lastReport is null || clock.Elapsed - lastReport >= TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                var now = Inspect(run, pipeline);
                progress(string.Join("; ", now.Stages.Select(s => $"{s.Stage} {s.Done}/{s.Tasks}" + (s.InQueue > 0 ? $" ({s.QueueSummary()})" : ""))));
            }
            cancellation.WaitHandle.WaitOne(poll ?? TimeSpan.FromMilliseconds(500));
            cancellation.ThrowIfCancellationRequested();
        }
        var status = Inspect(run, pipeline);
        WriteStageStats(run, pipeline, status);
        return status;
    }

    public static void WriteStageStats(RunFolder run, Pipeline pipeline, SlurmRunStatus status)
    {
        foreach (var stage in status.Stages.Where(s => s.IsComplete && s.Tasks > 0))
        {
            TaskRunner.WriteStageStats(run, StageManifest.Load(run.ManifestFile(stage.Stage)));
        }
    }

    /// <summary>Cancels every job of the run's latest submission; completed tasks stay complete, a resubmission resumes.</summary>
    public SlurmSubmission? Cancel(RunFolder run)
    {
        var submission = SlurmSubmission.Load(run);
        if (submission is not null) client.Cancel(submission.JobIds);
        return submission;
    }
}
