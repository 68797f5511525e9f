using System.ComponentModel;
using DataFlow.Trainer.Interop;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ExportHfCommand : Command<ExportHfCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL_DIR>")]
        [Description("Model folder (model_config.json + model.safetensors + tokenizer files), or a LoRA run's adapter folder (exported as a PEFT adapter).")]
        public string Model { get; init; } = "";

        [CommandArgument(1, "<OUT_DIR>")]
        [Description("Hugging Face folder to write (LlamaForCausalLM, or a PEFT adapter).")]
        public string Output { get; init; } = "";

        [CommandOption("--max-shard-size <SIZE>")]
        [Description("Shard the weights above this size (5GB, 500MB, 2GiB, bytes); default 5GB as transformers.")]
        public string MaxShardSize { get; init; } = "5GB";

        [CommandOption("--base-model <NAME>")]
        [Description("Adapter export: PEFT's base_model_name_or_path (default: the base folder the SFT run recorded).")]
        public string? BaseModel { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var files = HfExport.Run(settings.Model, settings.Output,
            new HfExportOptions { MaxShardBytes = HfExportOptions.ParseSize(settings.MaxShardSize), BaseModel = settings.BaseModel });
        Console.WriteLine($"exported {settings.Model} -> {settings.Output}: {string.Join(", ", files)}");
        return ExitCodes.Ok;
    }
}
