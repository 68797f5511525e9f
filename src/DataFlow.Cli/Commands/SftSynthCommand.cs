using System.ComponentModel;
using DataFlow.Jobs.Training.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class SftSynthCommand : Command<SftSynthCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--output <DIR>")]
        [Description("Folder for sft-train/sft-eval/pairs-train/pairs-eval .jsonl.")]
        public string Output { get; init; } = "";

        [CommandOption("--train <N>")]
        public int Train { get; init; } = 20000;

        [CommandOption("--eval <N>")]
        public int Eval { get; init; } = 500;

        [CommandOption("--seed <N>")]
        public int Seed { get; init; } = 1;

        [CommandOption("--max-operand <N>")]
        [Description("Largest number in the arithmetic tasks.")]
        public int MaxOperand { get; init; } = 9;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        VerifiableSetWriter.Write(settings.Output, settings.Train, settings.Eval, settings.Seed, settings.MaxOperand);
        Console.WriteLine($"wrote the verifiable instruction set to {settings.Output}");
        return 0;
    }
}
