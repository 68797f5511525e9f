using DataFlow.Trainer.Model;
using System.ComponentModel;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class RewardPairsCommand : Command<RewardPairsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--policy <DIR>")]
        [Description("Policy (SFT) model folder whose sampled mistakes become the rejected answers.")]
        public string Policy { get; init; } = "";

        [CommandOption("--prompts <FILE>")]
        [Description("Verifiable prompts (sft-*.jsonl or pairs-*.jsonl from `dataflow sft synth`).")]
        public string Prompts { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        public string Output { get; init; } = "";

        [CommandOption("--samples <N>")]
        public int Samples { get; init; } = 4;

        [CommandOption("--max-new-tokens <N>")]
        public int MaxNewTokens { get; init; } = 12;

        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 1;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var tokenizer = ModelTokenizer.Load(settings.Policy);
        using var policy = ModelWeights.LoadTransformer(settings.Policy);
        ModelTokenizer.Check(policy.Config, $"policy {settings.Policy}", tokenizer, "its tokenizer");
        var (pairs, fromPolicy) = PolicyPairSampler.Write(policy, tokenizer, settings.Prompts, settings.Output, settings.Samples, settings.MaxNewTokens, settings.Seed);
        Console.WriteLine($"wrote {pairs} pairs to {settings.Output}: {fromPolicy} with a sampled policy mistake, {pairs - fromPolicy} with a synthetic one");
        return 0;
    }
}
