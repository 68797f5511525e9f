namespace DataFlow.Trainer.Distributed;

/// <summary>
/// The <c>--distributed</c> option of training commands: <c>none</c> (one process) or <c>mpi</c> (this process is one
/// rank of <c>mpirun -np N</c> / <c>srun --mpi=pmix -n N</c>). A train command calls <see cref="Start"/> once and hands
/// the <see cref="DataParallel"/> it returns (<see cref="DataParallel.Single"/> for none) to its trainer, whichever it is.
/// </summary>
public static class DistributedMode
{
    public static DataParallel Start(string? mode) => (mode ?? "none").ToLowerInvariant() switch
    {
        "none" or "" => DataParallel.Single,
        "mpi" when !MpiCommunicator.LaunchedByMpi => throw new InvalidOperationException(
            "--distributed mpi: this process was not started as an MPI rank; launch with `mpirun -np N ...` or `srun --mpi=pmix -n N ...` (jobs/slurm/train.sbatch)"),
        "mpi" => new DataParallel(MpiCommunicator.Initialize()),
        var other => throw new ArgumentException($"--distributed must be none or mpi, got '{other}'"),
    };

    /// <summary>
    /// Starts <paramref name="mode"/>, trains, finalizes. A rank that fails aborts all ranks with
    /// <paramref name="abortExitCode"/>: alone it would leave the others blocked in a collective, and its own
    /// MPI_Finalize would wait for them, so mpirun (or srun) would never return.
    /// </summary>
    public static T Run<T>(string? mode, Func<DataParallel, T> train, int abortExitCode)
    {
        var parallel = Start(mode);
        if (!parallel.IsDistributed) return train(parallel);
        try
        {
            return train(parallel);
        }
        catch (Exception e) when (parallel.Size > 1)
        {
            Console.Error.WriteLine($"rank {parallel.Rank} of {parallel.Size} failed, aborting all ranks: {e}");
            Console.Error.Flush();
            parallel.Communicator!.Abort(abortExitCode);
            throw;
        }
        finally
        {
            parallel.Communicator!.Dispose();
        }
    }

    /// <summary>This rank's slice of the global batches (the stream itself when not distributed).</summary>
    public static Data.ITokenBatches Shard(Data.ITokenBatches global, DataParallel parallel) =>
        !parallel.IsDistributed ? global : new RankShardedBatches(global, parallel.Rank, parallel.Size);
}
