using System.ComponentModel;
using DataFlow.Jobs.Training.Sft;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TrainRewardCommand : Command<TrainRewardCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("Reward YAML (see conf/train/reward-verifiable.yaml); rerunning resumes from OUTPUT/checkpoint.")]
        public string Config { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        DataFlow.Jobs.Training.Reward.RewardJob.Run(settings.Config, Console.WriteLine);
}
