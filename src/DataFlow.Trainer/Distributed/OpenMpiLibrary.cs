using System.Runtime.InteropServices;

namespace DataFlow.Trainer.Distributed;

/// <summary>
/// Open MPI's C API (libmpi.so.40, Open MPI 4.x ABI) bound by hand: no MPI package is served for .NET.
/// The library is opened with RTLD_GLOBAL because Open MPI's own plugins resolve libmpi symbols globally.
/// Predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM...) are addresses of exported globals in Open MPI.
/// </summary>
internal static unsafe partial class OpenMpiLibrary
{
    public const string FileName = "libmpi.so.40";
    private const int RtldNow = 0x2, RtldGlobal = 0x100;

    /// <summary>MPI_IN_PLACE in Open MPI: ((void *) 1).</summary>
    public static readonly void* InPlace = (void*)1;

    private static readonly Lazy<IntPtr> Handle = new(Open);

    public static IntPtr CommWorld => Export("ompi_mpi_comm_world");
    public static IntPtr Float => Export("ompi_mpi_float");
    public static IntPtr Double => Export("ompi_mpi_double");
    public static IntPtr Sum => Export("ompi_mpi_op_sum");

    public static delegate* unmanaged<int*, byte***, int> Init => (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
    public static delegate* unmanaged<int*, int> Initialized => (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
    public static delegate* unmanaged<int*, int> Finalized => (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
    public static delegate* unmanaged<int> Finalize => (delegate* unmanaged<int>)Export("MPI_Finalize");
    public static delegate* unmanaged<IntPtr, int*, int> CommRank => (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
    public static delegate* unmanaged<IntPtr, int*, int> CommSize => (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
    public static delegate* unmanaged<IntPtr, int> Barrier => (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
    public static delegate* unmanaged<IntPtr, int, int> Abort => (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");

    /// <summary>MPI_Bcast(buffer, count, datatype, root, comm).</summary>
    public static delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int> Bcast =>
        (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");

    /// <summary>MPI_Allreduce(sendbuf, recvbuf, count, datatype, op, comm).</summary>
    public static delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int> Allreduce =>
        (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");

    /// <summary>MPI_Error_string(code, buffer of MPI_MAX_ERROR_STRING = 256, length).</summary>
    public static delegate* unmanaged<int, byte*, int*, int> ErrorString => (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");

    private static IntPtr Export(string name) => NativeLibrary.GetExport(Handle.Value, name);

    private static IntPtr Open()
    {
        var handle = dlopen(FileName, RtldNow | RtldGlobal);
        if (handle != IntPtr.Zero) return handle;
        var error = dlerror();
        throw new DllNotFoundException(
            $"cannot load {FileName} ({(error == IntPtr.Zero ? "unknown error" : Marshal.PtrToStringUTF8(error))}); install Open MPI (scripts/install-cluster-deps.sh)");
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr dlopen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial IntPtr dlerror();
}
