using System.ComponentModel;
using DataFlow.Jobs;
using DataFlow.Jobs.Report;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN_DIR>")]
        public string RunDir { get; init; } = "";

        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for index.html and img/ (default RUN_DIR/report).")]
        public string? Output { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var index = ReportJob.Write(RunSession.Open(settings.RunDir), settings.Output);
        Console.WriteLine(index);
        return ExitCodes.Ok;
    }
}
