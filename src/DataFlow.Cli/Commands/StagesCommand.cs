using DataFlow.Jobs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class StagesCommand : Command<EmptyCommandSettings>
{
    public override int Execute(CommandContext context, EmptyCommandSettings settings, CancellationToken cancellation)
    {
        var table = new Table().AddColumn("type").AddColumn("what it does");
        foreach (var type in RunSession.DefaultCatalog().Types) table.AddRow(type.Name, Markup.Escape(type.Description));
        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }
}
