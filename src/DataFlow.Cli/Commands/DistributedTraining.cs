using DataFlow.Trainer.Distributed;

namespace DataFlow.Cli.Commands;

/// <summary>
/// How every <c>dataflow train ... --distributed none|mpi</c> command runs its trainer: start MPI (or not), train,
/// finalize; a failing rank aborts all ranks with the task-failed exit code (<see cref="DistributedMode.Run"/>).
/// </summary>
public static class DistributedTraining
{
    public static T Run<T>(string mode, Func<DataParallel?, T> train) => DistributedMode.Run(mode, train, ExitCodes.TaskFailed);
}
