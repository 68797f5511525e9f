using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ExtractCommand : Command<ExtractCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("--min-text-length <N>")]
        [Description("Drop pages with fewer characters of text left (default 200).")]
        public int? MinTextLength { get; init; }

        [CommandOption("--whole-page")]
        [Description("Keep all visible text outside boilerplate instead of finding the main content.")]
        public bool WholePage { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.MinTextLength is { } n) keys["min_text_length"] = n.ToString(CultureInfo.InvariantCulture);
        if (settings.WholePage) keys["main_content"] = "false";
        return settings.Run("extract", keys, cancellation);
    }
}
