using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class QualityCommand : Command<QualityCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Input file, folder or glob (repeatable): document shards or raw .jsonl / .jsonl.gz / .parquet.")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Output folder for kept part-NNNNN.parquet shards (removed/ beside them with --keep-removed).")]
        public string Output { get; init; } = "";

        [CommandOption("-p|--preset <NAME>")]
        [Description("Rule preset from conf/quality: gopher, c4, fineweb, english, chinese.")]
        public string? Preset { get; init; }

        [CommandOption("-c|--config <FILE>")]
        [Description("YAML file with quality stage keys (rules: [...], normalize, keep_removed...).")]
        public string? Config { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Also write dropped documents with their reason to OUTPUT/removed/.")]
        public bool KeepRemoved { get; init; }

        [CommandOption("--tasks <N>")]
        public int? Tasks { get; init; }

        [CommandOption("--workers <N>")]
        public int? Workers { get; init; }

        [CommandOption("--text-field <NAME>")]
        public string? TextField { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Preset is null && settings.Config is null) throw new ArgumentException("give --preset NAME or --config FILE");
        var keys = new Dictionary<string, string>();
        if (settings.Preset is { } preset) keys["preset"] = SingleStageRun.Quote(preset);
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        if (settings.Tasks is { } t) keys["tasks"] = t.ToString();
        if (settings.TextField is { } tf) keys["text_field"] = SingleStageRun.Quote(tf);
        return SingleStageRun.Execute("quality", settings.Input, settings.Output, keys, settings.Config, settings.Workers, cancellation);
    }
}
