using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

/// <summary>The flags every one-stage command shares (ingest, quality, dedup, pii, tokenize), mapped to stage keys.</summary>
public class StageCommandSettings : CommandSettings
{
    [CommandOption("-i|--input <GLOB>")]
    [Description("Input file, folder or glob (repeatable): .jsonl, .jsonl.gz, .jsonl.zst, .parquet shards, text files.")]
    public string[] Input { get; init; } = [];

    [CommandOption("-o|--output <DIR>")]
    [Description("Output folder for part-NNNNN.parquet shards (run state, stats and rejects in DIR/_dataflow).")]
    public string Output { get; init; } = "";

    [CommandOption("-c|--config <FILE>")]
    [Description("YAML file with more keys of the stage (see its page under docs/).")]
    public string? Config { get; init; }

    [CommandOption("--tasks <N>")]
    [Description("Number of tasks (input files are balanced across them).")]
    public int? Tasks { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Tasks run at once (default: cores).")]
    public int? Workers { get; init; }

    [CommandOption("--text-field <NAME>")]
    [Description("Field (JSON) or column (Parquet) holding the text (default: text).")]
    public string? TextField { get; init; }

    [CommandOption("--id-field <NAME>")]
    [Description("Field or column holding the id (default: id; missing ids become FILE:LINE).")]
    public string? IdField { get; init; }

    [CommandOption("--on-error <POLICY>")]
    [Description("skip (default: bad records to rejects/) or fail (stop at the first, naming file and line).")]
    public string? OnError { get; init; }

    /// <summary>Stage keys for the shared flags that were given.</summary>
    public Dictionary<string, string> CommonKeys()
    {
        var keys = new Dictionary<string, string>();
        if (Tasks is { } t) keys["tasks"] = t.ToString(CultureInfo.InvariantCulture);
        if (TextField is { } tf) keys["text_field"] = SingleStageRun.Quote(tf);
        if (IdField is { } idf) keys["id_field"] = SingleStageRun.Quote(idf);
        if (OnError is { } oe) keys["on_error"] = SingleStageRun.Quote(oe);
        return keys;
    }

    /// <summary>Runs <paramref name="stageType"/> over the inputs with the shared keys plus <paramref name="extraKeys"/>.</summary>
    public int Run(string stageType, IReadOnlyDictionary<string, string> extraKeys, CancellationToken cancellation)
    {
        var keys = CommonKeys();
        foreach (var (k, v) in extraKeys) keys[k] = v;
        return SingleStageRun.Execute(stageType, Input, Output, keys, Config, Workers, cancellation);
    }
}
