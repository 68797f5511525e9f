using System.ComponentModel;
using DataFlow.Jobs.Training.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TrainPpoCommand : Command<TrainPpoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("PPO YAML (see conf/train/ppo-verifiable.yaml); rerunning resumes from OUTPUT/checkpoint.")]
        public string Config { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        DataFlow.Jobs.Training.Ppo.PpoJob.Run(settings.Config, Console.WriteLine);
}
