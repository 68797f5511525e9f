using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ClassifyCommand : Command<ClassifyCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("-m|--model <FILE>")]
        [Description("fastText model (.bin or .ftz) that annotates each document with its top label (class) and probability (class_score).")]
        public string? Model { get; init; }

        [CommandOption("--keep-label <LABEL>")]
        [Description("Filter by this label's probability (with --min-score or --top-fraction); __label__ may be left out.")]
        public string? KeepLabel { get; init; }

        [CommandOption("--min-score <P>")]
        [Description("Keep documents whose --keep-label probability is at least P.")]
        public double? MinScore { get; init; }

        [CommandOption("--top-fraction <F>")]
        [Description("Keep the fraction F of all documents with the highest --keep-label probability (a corpus-wide cutoff).")]
        public double? TopFraction { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Also write dropped documents with their reason to OUTPUT/removed/.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Model is null) throw new ArgumentException("--model FILE is required (a fastText .bin or .ftz model)");
        var keys = new Dictionary<string, string> { ["model"] = SingleStageRun.Quote(Path.GetFullPath(settings.Model)) };
        if (settings.KeepLabel is { } label)
        {
            if (settings.MinScore is null == settings.TopFraction is null) throw new ArgumentException("--keep-label needs exactly one of --min-score or --top-fraction");
            var rule = settings.MinScore is { } min
                ? $"min_score: {min.ToString(CultureInfo.InvariantCulture)}"
                : $"top_fraction: {settings.TopFraction!.Value.ToString(CultureInfo.InvariantCulture)}";
            keys["keep"] = $"{{label: {SingleStageRun.Quote(label)}, {rule}}}";
        }
        else if (settings.MinScore is not null || settings.TopFraction is not null)
        {
            throw new ArgumentException("--min-score and --top-fraction need --keep-label LABEL");
        }
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        return settings.Run("classify", keys, cancellation);
    }
}
