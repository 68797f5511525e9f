using DataFlow.Trainer.Distributed;

namespace DataFlow.Cli.Commands;

/// <summary>
/// How every <c>dataflow train ... --distributed none|mpi</c> command runs its trainer: start MPI (or not), train,
/// finalize. A rank that fails aborts all ranks: alone it would leave the others blocked in a collective, and its own
/// MPI_Finalize would wait for them, so mpirun would never return.
/// </summary>
public static class DistributedTraining
{
    public static T Run<T>(string mode, Func<DataParallel?, T> train)
    {
        var parallel = DistributedMode.Start(mode);
        if (parallel is null) return train(null);
        try
        {
            return train(parallel);
        }
        catch (Exception e) when (parallel.Size > 1)
        {
            Console.Error.WriteLine($"rank {parallel.Rank} of {parallel.Size} failed, aborting all ranks: {e}");
            Console.Error.Flush();
            parallel.Communicator.Abort(ExitCodes.TaskFailed);
            throw;
        }
        finally
        {
            parallel.Communicator.Dispose();
        }
    }
}
