using System.Diagnostics;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>
/// How the local executor runs a task of a stage with <c>resources: {ranks: N}</c>: N processes of the CLI's
/// <c>task</c> command under Open MPI's <c>mpirun</c>, just as a Slurm array element runs them under <c>srun</c>, so
/// both executors launch the same unit. The ranks' output goes to the task log (RUN/logs/STAGE/task-0000i.log, as
/// under Slurm); rank 0 commits the task, so success means the completion marker exists.
/// </summary>
public sealed class MpirunTaskLauncher
{
    private const int TailLines = 20;
    private readonly RunFolder _run;
    private readonly StageDefinition _stage;
    private readonly IReadOnlyList<string> _cli;
    private readonly string _mpirun;

    /// <param name="cli">The command that starts the CLI, e.g. [/usr/bin/dotnet, /opt/dataflow/dataflow.dll].</param>
    /// <exception cref="InvalidOperationException">mpirun is not on PATH (the message names the stage and how to install it).</exception>
    public MpirunTaskLauncher(RunFolder run, StageDefinition stage, IReadOnlyList<string> cli)
    {
        (_run, _stage, _cli) = (run, stage, cli);
        _mpirun = FindOnPath("mpirun") ?? throw new InvalidOperationException(
            $"stage '{stage.Name}' runs each task on {stage.Resources.Ranks} ranks (resources.ranks), which the local executor starts " +
            "with Open MPI's mpirun, and mpirun is not on PATH: install Open MPI with scripts/install-cluster-deps.sh (as root), or set ranks: 1");
    }

    public void Run(TaskPlan plan, CancellationToken cancellation)
    {
        var log = SlurmArrayScript.TaskLog(_run, _stage.Name, plan.Index); // the same log as the task's under Slurm
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        var args = Arguments(plan);
        var start = new ProcessStartInfo(_mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var writer = new StreamWriter(log, append: true) { AutoFlush = true };
        var tail = new Queue<string>();
        void Write(string? line)
        {
            if (line is null) return;
            lock (tail)
            {
                writer.WriteLine(line);
                tail.Enqueue(line);
                if (tail.Count > TailLines) tail.Dequeue();
            }
        }
        Write($"== {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} mpirun {string.Join(' ', args)}");
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        cancellation.ThrowIfCancellationRequested();
        lock (tail)
        {
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"its {_stage.Resources.Ranks} ranks (mpirun) exited with code {process.ExitCode}; log: {log}; last lines:\n"
                    + string.Join('\n', tail));
        }
        if (!_run.IsDone(_stage.Name, plan.Index))
            throw new InvalidOperationException($"its ranks exited 0 but rank 0 wrote no completion marker; log: {log}");
    }

    /// <summary>mpirun's arguments: every rank runs <c>dataflow task</c> for the same task.</summary>
    public IReadOnlyList<string> Arguments(TaskPlan plan)
    {
        var args = new List<string>();
        // Open MPI refuses root unless told; CI containers and this single-host setup run as root.
        if (Environment.UserName == "root") args.Add("--allow-run-as-root");
        // Like `workers`, ranks may exceed the cores; TERM=dumb keeps .NET's console from querying the terminal in every
        // rank, and a passive OpenMP wait keeps idle threads from spinning on cores the other rank needs.
        args.AddRange(["--oversubscribe", "-np", _stage.Resources.Ranks.ToString(), "-x", "TERM=dumb", "-x", "OMP_WAIT_POLICY=PASSIVE"]);
        args.AddRange(_cli);
        args.AddRange(["task", "--run", _run.Root, "--stage", _stage.Name, "--index", plan.Index.ToString()]);
        return args;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);
}
