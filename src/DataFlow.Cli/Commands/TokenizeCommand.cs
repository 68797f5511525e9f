using System.ComponentModel;
using System.Globalization;
using DataFlow.Text.Tokenization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TokenizeCommand : Command<TokenizeCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("-t|--tokenizer <NAME|PATH>")]
        [Description("gpt2, cl100k_base, o200k_base, or the path of a tokenizer.json (e.g. from `dataflow tokenizer train`).")]
        public string Tokenizer { get; init; } = "";

        [CommandOption("--seq-len <N>")]
        [Description("Tokens per training example; rows hold seq_len + 1 (default 1024).")]
        public int? SeqLen { get; init; }

        [CommandOption("--validation-fraction <X>")]
        public double? ValidationFraction { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the global row shuffle (default 0).")]
        public long? Seed { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(settings.Tokenizer)) throw new ArgumentException("--tokenizer is required");
        var tokenizer = KnownTokenizers.IsKnown(settings.Tokenizer) || settings.Tokenizer == ByteTextTokenizer.KnownName
            ? settings.Tokenizer : Path.GetFullPath(settings.Tokenizer);
        var keys = new Dictionary<string, string> { ["tokenizer"] = SingleStageRun.Quote(tokenizer) };
        if (settings.SeqLen is { } n) keys["seq_len"] = n.ToString(CultureInfo.InvariantCulture);
        if (settings.ValidationFraction is { } v) keys["validation_fraction"] = v.ToString(CultureInfo.InvariantCulture);
        if (settings.Seed is { } s) keys["seed"] = s.ToString(CultureInfo.InvariantCulture);
        return settings.Run("tokenize", keys, cancellation);
    }
}
