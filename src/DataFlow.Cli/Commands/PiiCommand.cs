using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class PiiCommand : Command<PiiCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("--policy <POLICY>")]
        [Description("Default policy for every type: tag (default), pseudonym, keep or drop. Per-type policies: --config (docs/pii.md).")]
        public string? Policy { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Write dropped documents (tag-masked) to DIR/removed/.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Policy is { } p) keys["policy"] = SingleStageRun.Quote(p);
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        return settings.Run("pii", keys, cancellation);
    }
}
