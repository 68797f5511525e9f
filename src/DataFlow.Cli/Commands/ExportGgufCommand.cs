using System.ComponentModel;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Native;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ExportGgufCommand : Command<ExportGgufCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL_DIR>")]
        [Description("A model folder: model_config.json, model.safetensors, tokenizer.json.")]
        public string ModelDir { get; init; } = "";

        [CommandArgument(1, "<OUT_GGUF>")]
        [Description("GGUF file to write.")]
        public string Output { get; init; } = "";

        [CommandOption("--type <TYPE>")]
        [Description("Matrix type: f32, f16 (default), bf16, q8_0. Norm weights are always f32.")]
        public string Type { get; init; } = "f16";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) => Run(settings);

    public static int Run(Settings settings)
    {
        var type = LlamaGgufExport.ParseType(settings.Type);
        TorchRuntime.EnsureInitialized();
        LlamaGgufExport.Export(settings.ModelDir, settings.Output, type);
        Console.Error.WriteLine($"wrote {settings.Output}: {new FileInfo(settings.Output).Length / 1e6:F1} MB, llama architecture, {type}");
        return ExitCodes.Ok;
    }
}
