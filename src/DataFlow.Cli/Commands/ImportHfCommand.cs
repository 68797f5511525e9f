using System.ComponentModel;
using DataFlow.Trainer.Interop;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ImportHfCommand : Command<ImportHfCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<HF_DIR>")]
        [Description("Hugging Face LLaMA folder: config.json, model.safetensors (or shards + index), byte-level BPE tokenizer.json.")]
        public string Source { get; init; } = "";

        [CommandArgument(1, "<OUT_DIR>")]
        [Description("DataFlow model folder to write (float32).")]
        public string Output { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var config = HfImport.Run(settings.Source, settings.Output);
        Console.WriteLine($"imported {settings.Source} -> {settings.Output}: {config.Layers} layers, dim {config.Dim}, vocab {config.VocabSize}, " +
            $"{(config.TieEmbeddings ? "tied" : "untied")} head, {config.ParameterCount:N0} parameters");
        return ExitCodes.Ok;
    }
}
