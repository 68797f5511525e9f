using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class DedupCommand : Command<DedupCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Input file, folder or glob (repeatable): .jsonl, .jsonl.gz, .jsonl.zst, .parquet, text files.")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Output folder for the kept documents as part-NNNNN.parquet (run state in DIR/_dataflow).")]
        public string Output { get; init; } = "";

        [CommandOption("--exact")]
        [Description("Remove exact duplicates (XxHash128 of normalized text). With neither --exact nor --minhash, both run.")]
        public bool Exact { get; init; }

        [CommandOption("--minhash")]
        [Description("Remove near duplicates with MinHash/LSH (14 bands x 8 rows, word 5-grams by default).")]
        public bool MinHash { get; init; }

        [CommandOption("--keep <POLICY>")]
        [Description("Which cluster member survives: first (default), longest, max:FIELD, min:FIELD.")]
        public string? Keep { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Also write removed documents, with reason, cluster_id and cluster_size, to DIR/removed/.")]
        public bool KeepRemoved { get; init; }

        [CommandOption("--tasks <N>")]
        [Description("Number of signature/filter tasks (input files are balanced across them).")]
        public int? Tasks { get; init; }

        [CommandOption("--workers <N>")]
        public int? Workers { get; init; }

        [CommandOption("--text-field <NAME>")]
        public string? TextField { get; init; }

        [CommandOption("--id-field <NAME>")]
        public string? IdField { get; init; }

        [CommandOption("-c|--config <FILE>")]
        [Description("YAML file with more dedup keys (see conf/dedup/default.yaml).")]
        public string? Config { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Exact || settings.MinHash)
        {
            keys["exact"] = settings.Exact ? "true" : "false";
            keys["minhash"] = settings.MinHash ? "true" : "false";
        }
        if (settings.Keep is { } keep) keys["keep"] = SingleStageRun.Quote(keep);
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        if (settings.Tasks is { } t) keys["tasks"] = t.ToString();
        if (settings.TextField is { } tf) keys["text_field"] = SingleStageRun.Quote(tf);
        if (settings.IdField is { } idf) keys["id_field"] = SingleStageRun.Quote(idf);
        return SingleStageRun.Execute("dedup", settings.Input, settings.Output, keys, settings.Config, settings.Workers, cancellation);
    }
}
