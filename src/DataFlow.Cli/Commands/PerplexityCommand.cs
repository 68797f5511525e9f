using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class PerplexityCommand : Command<PerplexityCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("-m|--model <MODEL_DIR>")]
        [Description("Model folder (model_config.json, model.safetensors and its tokenizer), e.g. a pretrain stage's OUT/final.")]
        public string? Model { get; init; }

        [CommandOption("--max-tokens <N>")]
        [Description("Tokens scored per document at most (default: the model's context length).")]
        public int? MaxTokens { get; init; }

        [CommandOption("--score <UNIT>")]
        [Description("token (default, column perplexity) or char (perplexity_per_char): which perplexity filters and buckets use.")]
        public string? Score { get; init; }

        [CommandOption("--max-perplexity <X>")]
        [Description("Drop documents above this perplexity (reason perplexity.too_high).")]
        public double? MaxPerplexity { get; init; }

        [CommandOption("--buckets")]
        [Description("Bucket into head / middle / tail by corpus percentiles (column bucket; CCNet's 30 and 60 unless --cut-points).")]
        public bool Buckets { get; init; }

        [CommandOption("--cut-points <P1,P2>")]
        [Description("Head and tail percentiles of the buckets (implies --buckets; default 30,60).")]
        public string? CutPoints { get; init; }

        [CommandOption("--keep-buckets <NAMES>")]
        [Description("Buckets kept, comma-separated (implies --buckets; default all: head,middle,tail).")]
        public string? KeepBuckets { get; init; }

        [CommandOption("--group-by <COLUMN>")]
        [Description("Cut points per value of this column (language after a quality stage; source = input file), as CCNet per language (implies --buckets).")]
        public string? GroupBy { get; init; }

        [CommandOption("--threads <N>")]
        [Description("libtorch threads for the forward pass (default: every core).")]
        public int? Threads { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(settings.Model)) throw new ArgumentException("--model is required (a model folder)");
        var keys = new Dictionary<string, string> { ["model"] = SingleStageRun.Quote(Path.GetFullPath(settings.Model)) };
        if (settings.MaxTokens is { } n) keys["max_tokens"] = n.ToString(CultureInfo.InvariantCulture);
        if (settings.Score is { } unit) keys["score"] = SingleStageRun.Quote(unit);
        if (settings.MaxPerplexity is { } max) keys["max_perplexity"] = max.ToString("R", CultureInfo.InvariantCulture);
        if (settings.Threads is { } threads) keys["threads"] = threads.ToString(CultureInfo.InvariantCulture);
        if (settings.Buckets || settings.CutPoints is not null || settings.KeepBuckets is not null || settings.GroupBy is not null)
        {
            var parts = new List<string>();
            if (settings.CutPoints is { } cuts) parts.Add($"cut_points: [{string.Join(", ", cuts.Split(',').Select(c => SingleStageRun.Quote(c.Trim())))}]");
            if (settings.KeepBuckets is { } keep) parts.Add($"keep: [{string.Join(", ", keep.Split(',').Select(b => SingleStageRun.Quote(b.Trim())))}]");
            if (settings.GroupBy is { } group) parts.Add($"group_by: {SingleStageRun.Quote(group)}");
            keys["buckets"] = "{" + string.Join(", ", parts) + "}";
        }
        return settings.Run("perplexity", keys, cancellation);
    }
}
