using System.Globalization;
using DataFlow.Trainer.Training;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Cli.Commands;

/// <summary>
/// How every <c>dataflow train ... --distributed none|mpi</c> command runs its trainer: start MPI (or not), train,
/// finalize; a failing rank aborts all ranks with the task-failed exit code (<see cref="DistributedMode.Run"/>).
/// </summary>
public static class DistributedTraining
{
    public static T Run<T>(string mode, Func<DataParallel, T> train) => DistributedMode.Run(mode, train, ExitCodes.TaskFailed);

    /// <summary>Rank 0 prints what the run did (steps, tokens, tokens/s, last loss, final held-out metrics); returns the exit code.</summary>
    public static int Report(TrainingSummary summary, DataParallel parallel)
    {
        if (!parallel.IsRoot) return ExitCodes.Ok;
        var eval = string.Concat(summary.FinalEval.Select(kv => string.Create(CultureInfo.InvariantCulture, $", {kv.Key} {kv.Value:F4}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{summary.Kind} done: {summary.Steps} steps from step {summary.FirstStep}, {summary.Tokens:N0} tokens, {summary.TokensPerSecond:F0} tokens/s, last loss {summary.LastLoss?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a"}{eval}"));
        return ExitCodes.Ok;
    }
}
