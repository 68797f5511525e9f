using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

/// <summary><c>dataflow sft prepare</c>: runs one <c>sft_prepare</c> stage with its shards straight into --output.</summary>
public sealed class SftPrepareCommand : Command<SftPrepareCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Chat JSONL file, folder or glob (repeatable; .jsonl or .jsonl.gz).")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <DIR>")]
        [Description("Output folder for part-NNNNN.parquet SFT shards (run state, stats and rejects in DIR/_dataflow).")]
        public string Output { get; init; } = "";

        [CommandOption("-c|--config <FILE>")]
        [Description("YAML file with more keys of the sft_prepare stage (see docs/sft.md).")]
        public string? Config { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("auto (default, per record), alpaca, messages, share_gpt, prompt_completion or gsm8k.")]
        public string? Format { get; init; }

        [CommandOption("--max-tokens <N>")]
        [Description("Tokens per row (default 128); longer conversations are bad records.")]
        public int? MaxTokens { get; init; }

        [CommandOption("--layout <LAYOUT>")]
        [Description("padded (default: one conversation per row) or packed (whole conversations back to back).")]
        public string? Layout { get; init; }

        [CommandOption("--loss-on <TARGET>")]
        [Description("assistant_only (default), last_assistant or all.")]
        public string? LossOn { get; init; }

        [CommandOption("--tasks <N>")]
        [Description("Number of tasks (input files are balanced across them).")]
        public int? Tasks { get; init; }

        [CommandOption("--workers <N>")]
        [Description("Tasks run at once (default: cores).")]
        public int? Workers { get; init; }

        [CommandOption("--on-error <POLICY>")]
        [Description("skip (default: bad records to rejects/ with file and line) or fail (stop at the first).")]
        public string? OnError { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        Run(settings, cancellation);

    public static int Run(Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Format is { } f) keys["format"] = SingleStageRun.Quote(f);
        if (settings.MaxTokens is { } n) keys["max_tokens"] = n.ToString(CultureInfo.InvariantCulture);
        if (settings.Layout is { } l) keys["layout"] = SingleStageRun.Quote(l);
        if (settings.LossOn is { } lo) keys["loss_on"] = SingleStageRun.Quote(lo);
        if (settings.Tasks is { } t) keys["tasks"] = t.ToString(CultureInfo.InvariantCulture);
        if (settings.OnError is { } oe) keys["on_error"] = SingleStageRun.Quote(oe);
        return SingleStageRun.Execute("sft_prepare", settings.Input, settings.Output, keys, settings.Config, settings.Workers, cancellation);
    }
}
