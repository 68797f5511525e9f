using DataFlow.Engine.Jobs;
using DataFlow.Trainer.Distributed;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// Joins the ranks of a training task whose stage has <c>resources: {ranks: N}</c>: the executor started this process
/// as one of N MPI ranks (mpirun locally, srun under Slurm), each rank trains on its share of every global batch, and
/// the engine lets rank 0 alone commit (<see cref="TaskContext.Rank"/>). With ranks: 1 the task is one plain process.
/// </summary>
public static class TaskRanks
{
    /// <summary>The exit code every rank ends with when one fails (the CLI's task-failed code), so the task fails as a whole.</summary>
    private const int FailedExitCode = 1;

    public static T Run<T>(TaskContext context, Func<DataParallel, T> train)
    {
        if (context.Ranks == 1) return train(DataParallel.Single);
        var stage = $"stage '{context.Stage.Name}' runs each task on {context.Ranks} ranks (resources.ranks)";
        if (!MpiCommunicator.LaunchedByMpi)
            throw new InvalidOperationException($"{stage}, but this process is not an MPI rank; `dataflow run` (mpirun) and `dataflow submit` (srun) start them");
        return DistributedMode.Run("mpi", parallel =>
        {
            if (parallel.Size != context.Ranks) throw new InvalidOperationException($"{stage}, but was started on {parallel.Size} MPI ranks");
            context.Rank = parallel.Rank;
            return train(parallel);
        }, FailedExitCode);
    }
}
