using System.ComponentModel;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class SubmitCommand : Command<SubmitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("Pipeline YAML.")]
        public string Pipeline { get; init; } = "";

        [CommandOption("--executor <NAME>")]
        [Description("Scheduler to submit to: slurm (the only one; `dataflow run` is the local executor).")]
        public string Executor { get; init; } = "slurm";

        [CommandOption("--run-dir <DIR>")]
        [Description("Run folder (must be on storage every node sees); default: the pipeline's run_dir. An existing folder resumes.")]
        public string? RunDir { get; init; }

        [CommandOption("--partition <P>")]
        public string? Partition { get; init; }

        [CommandOption("--cpus-per-task <N>")]
        public int CpusPerTask { get; init; } = 1;

        [CommandOption("--mem <M>")]
        [Description("Memory per task, sbatch syntax (4G).")]
        public string? Memory { get; init; }

        [CommandOption("--time <T>")]
        [Description("Time limit per task, sbatch syntax (01:00:00).")]
        public string? Time { get; init; }

        [CommandOption("--max-parallel <K>")]
        [Description("At most K tasks of a stage at once (--array=...%K); default: no limit.")]
        public int MaxParallel { get; init; }

        [CommandOption("--retries <R>")]
        [Description("Extra attempts of a failed task before its stage fails (default 2).")]
        public int Retries { get; init; } = 2;

        [CommandOption("--max-array-size <N>")]
        [Description("Split job arrays at N tasks even if the cluster allows more (default: cluster MaxArraySize).")]
        public int MaxArraySize { get; init; }

        [CommandOption("--stage <NAME>")]
        [Description("Submit only this stage (earlier stages must be complete); used by the Airflow DAG in Slurm mode.")]
        public string? Stage { get; init; }

        [CommandOption("--wait")]
        [Description("Wait until every job has left the queue; exit 0 only when the run is complete.")]
        public bool Wait { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (!settings.Executor.Equals("slurm", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"unknown --executor '{settings.Executor}': use slurm (or `dataflow run` for the local executor)");
        if (!SlurmClient.IsAvailable(out var why)) throw new InvalidOperationException($"Slurm is not available: {why}");
        var session = RunSession.Create(settings.Pipeline, settings.RunDir);
        var executor = new SlurmExecutor(new SlurmClient(), new SlurmOptions
        {
            Partition = settings.Partition,
            CpusPerTask = settings.CpusPerTask,
            Memory = settings.Memory,
            TimeLimit = settings.Time,
            MaxParallel = settings.MaxParallel,
            Retries = settings.Retries,
            MaxArraySize = settings.MaxArraySize,
        });
        var submission = executor.Submit(session.Run, session.Pipeline, SelfLauncher.Command(), settings.Stage);
        Console.Error.WriteLine($"run folder: {session.Run.Root}");
        if (submission.Jobs.Count == 0)
        {
            Console.Error.WriteLine("every task is already complete; nothing submitted");
            return ExitCodes.Ok;
        }
        foreach (var job in submission.Jobs)
            Console.WriteLine($"{job.JobId}\t{job.Stage}\ttasks {ArrayRanges.Format(job.Tasks)}");
        Console.Error.WriteLine($"task logs: {session.Run.LogsDir}/STAGE/task-NNNNN.log; `dataflow status {session.Run.Root}` shows progress");
        if (!settings.Wait) return ExitCodes.Ok;

        var status = executor.Wait(session.Run, session.Pipeline, submission, line => Console.Error.WriteLine("  " + line), cancellation);
        var complete = settings.Stage is null ? status.IsComplete : status.Stages.Single(s => s.Stage == settings.Stage).IsComplete;
        if (complete)
        {
            Console.Error.WriteLine(settings.Stage is null ? "run complete" : $"stage {settings.Stage} complete");
            return ExitCodes.Ok;
        }
        var problems = settings.Stage is null ? status.Problems() : status.Failures.Select(f => f.ToString()).DefaultIfEmpty($"stage '{settings.Stage}' did not complete (cancelled?)");
        foreach (var line in problems) Console.Error.WriteLine("error: " + line);
        return ExitCodes.TaskFailed;
    }
}
