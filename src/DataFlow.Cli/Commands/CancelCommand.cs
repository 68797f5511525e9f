using System.ComponentModel;
using DataFlow.Engine.Execution.Slurm;
using DataFlow.Engine.Jobs;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class CancelCommand : Command<CancelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN_DIR>")]
        [Description("Run folder submitted with `dataflow submit`.")]
        public string RunDir { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var submission = new SlurmExecutor(new SlurmClient(), new SlurmOptions()).Cancel(new RunFolder(settings.RunDir));
        Console.Error.WriteLine(submission is null
            ? $"{settings.RunDir} has no Slurm submission"
            : $"cancelled job(s) {string.Join(", ", submission.JobIds)}; completed tasks stay complete, `dataflow submit` again resumes");
        return ExitCodes.Ok;
    }
}
