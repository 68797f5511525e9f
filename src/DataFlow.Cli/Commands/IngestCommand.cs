using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class IngestCommand : Command<StageCommandSettings>
{
    public override int Execute(CommandContext context, StageCommandSettings settings, CancellationToken cancellation) =>
        settings.Run("ingest", new Dictionary<string, string>(), cancellation);
}
