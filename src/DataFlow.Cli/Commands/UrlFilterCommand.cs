using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class UrlFilterCommand : Command<UrlFilterCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("--block-list <PATH>")]
        [Description("A file of domains (one per line) or a UT1-layout folder (repeatable); more keys with --config (docs/web.md).")]
        public string[] BlockList { get; init; } = [];

        [CommandOption("--keep-removed")]
        [Description("Write dropped documents to DIR/removed/ with their reason.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.BlockList.Length > 0) keys["block_lists"] = "[" + string.Join(", ", settings.BlockList.Select(p => SingleStageRun.Quote(Path.GetFullPath(p)))) + "]";
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        return settings.Run("url_filter", keys, cancellation);
    }
}
