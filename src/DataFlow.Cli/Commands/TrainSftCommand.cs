using System.ComponentModel;
using DataFlow.Jobs.Training.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TrainSftCommand : Command<TrainSftCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("SFT YAML (see conf/train/sft-verifiable.yaml); rerunning resumes from OUTPUT/checkpoint.")]
        public string Config { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        SftJob.Run(settings.Config, Console.WriteLine);
}
