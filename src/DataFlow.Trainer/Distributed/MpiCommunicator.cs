using System.Runtime.InteropServices;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// MPI_COMM_WORLD of a process started by <c>mpirun -np N</c> or <c>srun --mpi=pmix -n N</c>: rank, size, and the
/// collectives data-parallel training needs (broadcast, sum all-reduce, barrier) on float/double buffers.
/// Create once per process; disposing finalizes MPI (it cannot be initialized again in the same process).
/// </summary>
public sealed unsafe class MpiCommunicator : IDisposable
{
    private bool _disposed;

    private MpiCommunicator(int rank, int size) => (Rank, Size) = (rank, size);

    public int Rank { get; }
    public int Size { get; }
    public bool IsRoot => Rank == 0;

    /// <summary>True when this process was launched as an MPI rank (Open MPI's launcher or a PMIx launcher set these).</summary>
    public static bool LaunchedByMpi =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null || Environment.GetEnvironmentVariable("PMIX_RANK") is not null;

    /// <summary>Initializes MPI (MPI_Init) and reads this rank's place in MPI_COMM_WORLD.</summary>
    public static MpiCommunicator Initialize()
    {
        int flag;
        Check("MPI_Initialized", OpenMpiLibrary.Initialized(&flag));
        if (flag == 0) Check("MPI_Init", OpenMpiLibrary.Init(null, null));
        int rank, size;
        Check("MPI_Comm_rank", OpenMpiLibrary.CommRank(OpenMpiLibrary.CommWorld, &rank));
        Check("MPI_Comm_size", OpenMpiLibrary.CommSize(OpenMpiLibrary.CommWorld, &size));
        return new MpiCommunicator(rank, size);
    }

    public void Broadcast(Span<float> buffer, int root = 0)
    {
        fixed (float* p = buffer) Broadcast(p, buffer.Length, root);
    }

    /// <summary>Broadcasts <paramref name="count"/> floats at <paramref name="data"/> (e.g. a tensor's storage) from <paramref name="root"/>.</summary>
    public void Broadcast(float* data, long count, int root = 0)
    {
        ThrowIfDisposed();
        foreach (var (offset, n) in Chunks(count))
            Check("MPI_Bcast", OpenMpiLibrary.Bcast(data + offset, n, OpenMpiLibrary.Float, root, OpenMpiLibrary.CommWorld));
    }

    /// <summary>Replaces every element with its sum over all ranks.</summary>
    public void AllReduceSum(Span<float> buffer)
    {
        fixed (float* p = buffer) AllReduceSum(p, buffer.Length);
    }

    public void AllReduceSum(float* data, long count)
    {
        ThrowIfDisposed();
        foreach (var (offset, n) in Chunks(count))
            Check("MPI_Allreduce", OpenMpiLibrary.Allreduce(OpenMpiLibrary.InPlace, data + offset, n, OpenMpiLibrary.Float, OpenMpiLibrary.Sum, OpenMpiLibrary.CommWorld));
    }

    public void AllReduceSum(Span<double> buffer)
    {
        ThrowIfDisposed();
        fixed (double* p = buffer)
            Check("MPI_Allreduce", OpenMpiLibrary.Allreduce(OpenMpiLibrary.InPlace, p, buffer.Length, OpenMpiLibrary.Double, OpenMpiLibrary.Sum, OpenMpiLibrary.CommWorld));
    }

    /// <summary>The mean of <paramref name="value"/> over all ranks.</summary>
    public double Average(double value)
    {
        Span<double> one = [value];
        AllReduceSum(one);
        return one[0] / Size;
    }

    public void Barrier()
    {
        ThrowIfDisposed();
        Check("MPI_Barrier", OpenMpiLibrary.Barrier(OpenMpiLibrary.CommWorld));
    }

    /// <summary>Ends every rank at once (a rank that fails alone would leave the others waiting in a collective).</summary>
    public void Abort(int exitCode) => OpenMpiLibrary.Abort(OpenMpiLibrary.CommWorld, exitCode);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int finalized;
        if (OpenMpiLibrary.Finalized(&finalized) == 0 && finalized == 0) OpenMpiLibrary.Finalize();
    }

    // MPI counts are int: split larger buffers.
    private static IEnumerable<(long Offset, int Count)> Chunks(long count)
    {
        for (long offset = 0; offset < count; offset += int.MaxValue)
            yield return (offset, (int)Math.Min(int.MaxValue, count - offset));
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void Check(string call, int code)
    {
        if (code == 0) return;
        var text = new byte[256];
        int length;
        fixed (byte* p = text) OpenMpiLibrary.ErrorString(code, p, &length);
        throw new MpiException(call, code, System.Text.Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, 256)));
    }
}
