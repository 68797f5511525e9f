using System.ComponentModel;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Trainer.Generation;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class GenerateCommand : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--checkpoint <DIR>")]
        [Description("A checkpoint folder (checkpoints/step-N), a training output folder (its newest checkpoint) or a model folder (model_config.json + model.safetensors + tokenizer).")]
        public string Checkpoint { get; init; } = "";

        [CommandOption("-p|--prompt <TEXT>")]
        [Description("Prompt (repeatable: several prompts are generated as one batch). Empty: start a new document.")]
        public string[] Prompt { get; init; } = [];

        [CommandOption("-n|--max-new-tokens <N>")]
        public int MaxNewTokens { get; init; } = 200;

        [CommandOption("-t|--temperature <X>")]
        [Description("0 = greedy (default 0.8).")]
        public double Temperature { get; init; } = 0.8;

        [CommandOption("--top-k <N>")]
        public int TopK { get; init; }

        [CommandOption("--top-p <X>")]
        public double TopP { get; init; } = 1.0;

        [CommandOption("--stop <ID>")]
        [Description("Stop token id (repeatable; default: the tokenizer's end-of-text).")]
        public int[] Stop { get; init; } = [];

        [CommandOption("--seed <N>")]
        public long Seed { get; init; } = 1337;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(settings.Checkpoint)) throw new ArgumentException("--checkpoint is required");
        var prompts = settings.Prompt.Length > 0 ? settings.Prompt : [""];
        var options = new GenerationOptions
        {
            MaxNewTokens = settings.MaxNewTokens, Temperature = settings.Temperature, TopK = settings.TopK,
            TopP = settings.TopP, StopTokens = settings.Stop, Seed = settings.Seed, SlideContext = true,
        };
        var outputs = GenerateRun.Execute(settings.Checkpoint, prompts, options);
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs.Count > 1) Console.WriteLine($"--- {i + 1}");
            Console.WriteLine(prompts[i] + outputs[i]);
        }
        return ExitCodes.Ok;
    }
}
