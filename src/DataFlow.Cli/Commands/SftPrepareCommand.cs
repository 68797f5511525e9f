using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

/// <summary><c>dataflow sft prepare</c>: runs one <c>sft_prepare</c> stage with its shards straight into --output.</summary>
public sealed class SftPrepareCommand : Command<SftPrepareCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("--format <FORMAT>")]
        [Description("auto (default, per record), alpaca, messages, share_gpt, prompt_completion or gsm8k.")]
        public string? Format { get; init; }

        [CommandOption("--max-tokens <N>")]
        [Description("Tokens per row (default 128); longer conversations are bad records.")]
        public int? MaxTokens { get; init; }

        [CommandOption("--layout <LAYOUT>")]
        [Description("padded (default: one conversation per row) or packed (whole conversations back to back).")]
        public string? Layout { get; init; }

        [CommandOption("--tokenizer <NAME|FILE|MODEL_DIR>")]
        [Description("The model's tokenizer: a model folder, bytes (default), gpt2, cl100k_base, o200k_base or a tokenizer JSON file.")]
        public string? Tokenizer { get; init; }

        [CommandOption("--loss-on <TARGET>")]
        [Description("assistant_only (default), last_assistant or all.")]
        public string? LossOn { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        Run(settings, cancellation);

    public static int Run(Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Format is { } f) keys["format"] = SingleStageRun.Quote(f);
        if (settings.MaxTokens is { } n) keys["max_tokens"] = n.ToString(CultureInfo.InvariantCulture);
        if (settings.Layout is { } l) keys["layout"] = SingleStageRun.Quote(l);
        if (settings.Tokenizer is { } t) keys["tokenizer"] = SingleStageRun.Quote(Path.GetFullPath(t) is var full && (File.Exists(full) || Directory.Exists(full)) ? full : t);
        if (settings.LossOn is { } lo) keys["loss_on"] = SingleStageRun.Quote(lo);
        return settings.Run("sft_prepare", keys, cancellation);
    }
}
