using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class QualityCommand : Command<QualityCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("-p|--preset <NAME>")]
        [Description("Rule preset from conf/quality: gopher, c4, fineweb, english, chinese.")]
        public string? Preset { get; init; }

        [CommandOption("--compat <MODE>")]
        [Description("Whose rule definitions to follow: dataflow (default) or datatrove (datatrove 0.10's Gopher, C4 and FineWeb rules, NLTK words, English).")]
        public string? Compat { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Also write dropped documents with their reason to OUTPUT/removed/.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Preset is null && settings.Config is null) throw new ArgumentException("give --preset NAME or --config FILE");
        var keys = new Dictionary<string, string>();
        if (settings.Preset is { } preset) keys["preset"] = SingleStageRun.Quote(preset);
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        if (settings.Compat is { } compat) keys["compat"] = SingleStageRun.Quote(compat);
        return settings.Run("quality", keys, cancellation);
    }
}
