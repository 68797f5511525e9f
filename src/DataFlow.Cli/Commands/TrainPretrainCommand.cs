using System.ComponentModel;
using System.Globalization;
using DataFlow.Trainer.Training;
using DataFlow.Jobs.Training.Pretrain;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TrainPretrainCommand : Command<TrainPretrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")]
        [Description("Training YAML (see conf/train/); relative paths in it resolve against the current directory.")]
        public string Config { get; init; } = "";

        [CommandOption("--resume")]
        [Description("Continue from the newest checkpoint in the output folder (exactly: same data order, optimizer and schedule).")]
        public bool Resume { get; init; }

        [CommandOption("--distributed <MODE>")]
        [Description("none (default) or mpi: run as one rank of `mpirun -np N` / `srun --mpi=pmix -n N` (jobs/slurm/train.sbatch); batch_size is the global batch.")]
        public string Distributed { get; init; } = "none";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (string.IsNullOrEmpty(settings.Config)) throw new ArgumentException("--config is required");
        var (summary, isRoot) = DistributedTraining.Run(settings.Distributed, parallel =>
            (PretrainRun.Execute(PretrainSettings.Load(settings.Config), settings.Resume, Console.Out, cancellation, parallel), parallel.IsRoot));
        if (!isRoot) return ExitCodes.Ok;
        if (summary.Steps == 0)
        {
            Console.WriteLine($"nothing to do: already at step {summary.FirstStep}; checkpoint {summary.LastCheckpoint}");
            return ExitCodes.Ok;
        }
        var mfu = summary.Mfu is { } u ? string.Create(CultureInfo.InvariantCulture, $", MFU {DataFlow.Engine.Jobs.TrainingStats.Percent(u)} of {summary.PeakFlops / 1e9:F1} GFLOP/s") : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {summary.Steps} steps from step {summary.FirstStep}, final train loss {summary.LastLoss:F4}, " +
            $"val loss {summary.FinalValLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a"}, {summary.TokensPerSecond:F0} tokens/s{mfu}; checkpoint {summary.LastCheckpoint}"));
        return ExitCodes.Ok;
    }
}
