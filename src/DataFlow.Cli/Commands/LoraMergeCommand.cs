using System.ComponentModel;
using DataFlow.Trainer.Lora;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class LoraMergeCommand : Command<LoraMergeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--base <DIR>")]
        [Description("Base model folder (model_config.json + model.safetensors).")]
        public string Base { get; init; } = "";

        [CommandOption("--adapters <DIR>")]
        [Description("Adapter folder (adapter_config.json + adapter_model.safetensors).")]
        public string Adapters { get; init; } = "";

        [CommandOption("-o|--output <DIR>")]
        public string Output { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        LoraMerge.Run(settings.Base, settings.Adapters, settings.Output);
        Console.WriteLine($"merged {settings.Adapters} into {settings.Base} -> {settings.Output}");
        return 0;
    }
}
