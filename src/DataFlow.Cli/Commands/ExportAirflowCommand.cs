using System.ComponentModel;
using DataFlow.Engine.Config;
using DataFlow.Engine.Execution.Airflow;
using DataFlow.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ExportAirflowCommand : Command<ExportAirflowCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PIPELINE>")]
        [Description("Pipeline YAML.")]
        public string Pipeline { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [Description("DAG file to write; default: stdout.")]
        public string? Output { get; init; }

        [CommandOption("--run-dir <DIR>")]
        [Description("Run folder the DAG's tasks use; default: the pipeline's run_dir.")]
        public string? RunDir { get; init; }

        [CommandOption("--dag-id <ID>")]
        [Description("Airflow dag_id; default: dataflow_<pipeline file name>.")]
        public string? DagId { get; init; }

        [CommandOption("--workdir <DIR>")]
        [Description("Folder the tasks cd into on the Airflow worker; relative pipeline/run paths resolve there. Default: the current folder.")]
        public string? Workdir { get; init; }

        [CommandOption("--dataflow <CMD>")]
        [Description("How Airflow workers start the CLI (shell words); default: this dataflow's absolute path.")]
        public string? Dataflow { get; init; }

        [CommandOption("--slurm")]
        [Description("Each task submits its stage to Slurm and waits, instead of running it on the Airflow worker.")]
        public bool Slurm { get; init; }

        [CommandOption("--slurm-args <ARGS>")]
        [Description("Extra `dataflow submit` options for --slurm, written with = (--slurm-args=\"--partition cpu --cpus-per-task 4\").")]
        public string SlurmArgs { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        // Validates the pipeline now, so a DAG is never written for a config that cannot run.
        var file = Path.GetFullPath(settings.Pipeline);
        var pipeline = PipelineLoader.LoadFile(file, RunSession.DefaultCatalog());
        var runDir = settings.RunDir ?? pipeline.Settings.RunDir
            ?? throw new ConfigException($"{settings.Pipeline}: no run folder: pass --run-dir or set 'run_dir' in the pipeline");
        var name = Path.GetFileNameWithoutExtension(file);
        var dag = AirflowDagWriter.Write(new AirflowDagOptions
        {
            DagId = settings.DagId ?? "dataflow_" + new string(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()) + (settings.Slurm ? "_slurm" : ""),
            // Paths stay as written: tasks cd into the working folder first, where relative paths mean what they mean here.
            PipelineFile = settings.Pipeline,
            RunDir = runDir,
            WorkingDir = settings.Workdir ?? Directory.GetCurrentDirectory(),
            Launcher = settings.Dataflow is { } custom ? [custom] : SelfLauncher.Command(),
            LauncherIsShell = settings.Dataflow is not null,
            Slurm = settings.Slurm,
            SlurmArgs = settings.SlurmArgs,
        }, pipeline.Stages.Select(s => s.Name).ToList());
        if (settings.Output is null) Console.Write(dag);
        else
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Output))!);
            File.WriteAllText(settings.Output, dag);
            Console.Error.WriteLine($"wrote {settings.Output}: {pipeline.Stages.Count} task(s), {string.Join(" >> ", pipeline.Stages.Select(s => s.Name))}");
        }
        return ExitCodes.Ok;
    }
}
