using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class IngestCommand : Command<IngestCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Input file, folder or glob (repeatable): .jsonl, .jsonl.gz, .jsonl.zst, .parquet, text files.")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Output folder for part-NNNNN.parquet shards (run state in DIR/_dataflow).")]
        public string Output { get; init; } = "";

        [CommandOption("--tasks <N>")]
        [Description("Number of tasks (input files are balanced across them).")]
        public int? Tasks { get; init; }

        [CommandOption("--workers <N>")]
        public int? Workers { get; init; }

        [CommandOption("--text-field <NAME>")]
        public string? TextField { get; init; }

        [CommandOption("--id-field <NAME>")]
        public string? IdField { get; init; }

        [CommandOption("--on-error <POLICY>")]
        [Description("skip (default: bad records to rejects/) or fail (stop at the first, naming file and line).")]
        public string? OnError { get; init; }

        [CommandOption("-c|--config <FILE>")]
        [Description("YAML file with more ingest keys.")]
        public string? Config { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Tasks is { } t) keys["tasks"] = t.ToString();
        if (settings.TextField is { } tf) keys["text_field"] = SingleStageRun.Quote(tf);
        if (settings.IdField is { } idf) keys["id_field"] = SingleStageRun.Quote(idf);
        if (settings.OnError is { } oe) keys["on_error"] = oe;
        return SingleStageRun.Execute("ingest", settings.Input, settings.Output, keys, settings.Config, settings.Workers, cancellation);
    }
}
