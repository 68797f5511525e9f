using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class PiiCommand : Command<PiiCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Input file, folder or glob (repeatable): Parquet shards, .jsonl(.gz/.zst), text files.")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Output folder for part-NNNNN.parquet shards (run state, stats and rejects in DIR/_dataflow).")]
        public string Output { get; init; } = "";

        [CommandOption("-c|--config <FILE>")]
        [Description("YAML file with pii keys (types, policy, policies, drop_above, include_*_ips, pseudonym_key_env); see docs/pii.md.")]
        public string? Config { get; init; }

        [CommandOption("--policy <POLICY>")]
        [Description("Default policy for every type: tag (default), pseudonym, keep or drop.")]
        public string? Policy { get; init; }

        [CommandOption("--tasks <N>")]
        public int? Tasks { get; init; }

        [CommandOption("--workers <N>")]
        public int? Workers { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Write dropped documents (tag-masked) to DIR/removed/.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Policy is { } p) keys["policy"] = SingleStageRun.Quote(p);
        if (settings.Tasks is { } t) keys["tasks"] = t.ToString();
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        return SingleStageRun.Execute("pii", settings.Input, settings.Output, keys, settings.Config, settings.Workers, cancellation);
    }
}
