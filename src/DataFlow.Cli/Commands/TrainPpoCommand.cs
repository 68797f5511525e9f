using System.ComponentModel;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Trainer.Distributed;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TrainPpoCommand : Command<TrainPpoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("PPO YAML (see conf/train/ppo-verifiable.yaml); rerunning resumes from the newest of OUTPUT/checkpoints/step-N.")]
        public string Config { get; init; } = "";

        [CommandOption("--distributed <MODE>")]
        [Description("none (default) or mpi: run as one rank of `mpirun -np N` / `srun --mpi=pmix -n N` (jobs/slurm/train.sbatch); rollout_batch and mini_batch are global.")]
        public string Distributed { get; init; } = "none";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        DistributedTraining.Run(settings.Distributed, parallel => DistributedTraining.Report(DataFlow.Jobs.Training.Ppo.PpoJob.Run(settings.Config, Console.WriteLine, parallel), parallel));
}
