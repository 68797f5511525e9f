using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace DataFlow.Trainer.Native;

/// <summary>
/// Prepares the process for libtorch before TorchSharp loads it: OpenMP settings that libgomp reads once at load
/// time, and the Debian 12 fix for libLibTorchSharp.so (it demands GLIBCXX_3.4.32 for a symbol it never calls).
/// Runs automatically when this assembly is first touched, so every entry point and test host gets it.
/// </summary>
public static partial class TorchRuntime
{
    private const string LibraryFile = "libLibTorchSharp.so";
    private const string MissingVersion = "GLIBCXX_3.4.32";
    private static readonly string[] UnusedSymbols = ["_ZSt21ios_base_library_initv"];
    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static DllNotFoundException? _failure;

    /// <summary>How the native library was made loadable (for logs and tests).</summary>
    public static string LoadReport { get; private set; } = "not loaded";

#pragma warning disable CA2255 // a library module initializer is the point: it must run before any TorchSharp call
    [ModuleInitializer]
    internal static void OnModuleLoad()
    {
        // Never throw from here: that would break every type of this assembly, even in processes that never train.
        try { EnsureInitialized(); }
        catch (Exception e) when (e is DllNotFoundException or IOException or InvalidDataException or UnauthorizedAccessException) { }
    }
#pragma warning restore CA2255

    /// <summary>Idempotent: sets the OpenMP environment and makes libLibTorchSharp.so loadable; throws a clear error when it cannot.</summary>
    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_failure is not null) throw _failure;
            if (_initialized) return;
            _initialized = true;
            // libgomp reads these with getenv() when it is loaded, so they must be in the native environment,
            // which Environment.SetEnvironmentVariable does not touch on Unix.
            SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE");
            SetNativeEnvironment("OMP_NUM_THREADS", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                if (OperatingSystem.IsLinux()) LoadReport = PrepareLibTorchSharp();
            }
            catch (Exception e) when (e is DllNotFoundException or IOException or InvalidDataException or UnauthorizedAccessException)
            {
                LoadReport = e.Message;
                _failure = e as DllNotFoundException ?? new DllNotFoundException(e.Message, e);
                throw _failure;
            }
        }
    }

    /// <summary>Intra-op threads for libtorch; 0 keeps the default (all cores the process may use).</summary>
    public static void SetThreads(int threads)
    {
        EnsureInitialized();
        torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
    }

    private static void SetNativeEnvironment(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 }) return; // the user's choice wins
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows()) _ = setenv(name, value, 0);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static string PrepareLibTorchSharp()
    {
        var original = FindLibTorchSharp();
        // Without this, TorchSharp would copy ~480 MB of natives from the NuGet cache into bin/cpu/.
        if (original is null)
            throw new DllNotFoundException($"{LibraryFile} is not next to TorchSharp.dll ({AppContext.BaseDirectory}): this program was built without native libtorch; " +
                                           "run training from the dataflow CLI or a project that imports src/DataFlow.Trainer/TorchBackend.targets");
        if (NativeLibrary.TryLoad(original, out _)) return $"loaded {original} as shipped";
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(original)!, "libtorch_cpu.so")))
            throw new DllNotFoundException($"native libtorch is not next to {original}: this program was built without it; " +
                                           "run training from the dataflow CLI or a project that imports src/DataFlow.Trainer/TorchBackend.targets");

        var image = File.ReadAllBytes(original);
        var outcome = ElfVersionPatcher.MakeWeak(image, MissingVersion, UnusedSymbols);
        if (outcome != ElfVersionPatcher.Outcome.Patched)
            throw new DllNotFoundException($"cannot load {original} ({DescribeLoadError(original)}), and marking {MissingVersion} weak does not apply ({outcome})");

        // Preferred: patch the build output's copy in place (atomic rename), so TorchSharp's own probing finds it.
        try
        {
            var temp = $"{original}.patch-{Environment.ProcessId}";
            File.WriteAllBytes(temp, image);
            File.SetUnixFileMode(temp, File.GetUnixFileMode(original));
            File.Move(temp, original, overwrite: true);
            if (NativeLibrary.TryLoad(original, out _)) return $"patched {original} in place ({MissingVersion} marked weak)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* read-only install: private copy below */ }

        var handle = LoadPrivateCopy(original, image);
        NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, (name, _, _) =>
            name is "LibTorchSharp" or LibraryFile ? handle : IntPtr.Zero);
        return $"loaded a patched private copy of {original}";
    }

    /// <summary>A patched copy in a per-user cache folder whose siblings are links to the original libtorch files, so $ORIGIN still resolves.</summary>
    private static IntPtr LoadPrivateCopy(string original, byte[] patched)
    {
        var sourceDir = Path.GetDirectoryName(original)!;
        var hash = Convert.ToHexString(SHA256.HashData(patched))[..16].ToLowerInvariant();
        var dir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "dataflow", "libtorchsharp", hash);
        var target = Path.Combine(dir, LibraryFile);
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(dir);
            foreach (var sibling in Directory.EnumerateFiles(sourceDir))
            {
                var link = Path.Combine(dir, Path.GetFileName(sibling));
                if (Path.GetFileName(sibling) != LibraryFile && !File.Exists(link)) File.CreateSymbolicLink(link, sibling);
            }
            var temp = $"{target}.tmp-{Environment.ProcessId}";
            File.WriteAllBytes(temp, patched);
            File.Move(temp, target, overwrite: true);
        }
        return NativeLibrary.Load(target);
    }

    private static string DescribeLoadError(string path)
    {
        try { NativeLibrary.Load(path); return "loads"; }
        catch (DllNotFoundException e) { return e.Message; }
    }

    private static string? FindLibTorchSharp()
    {
        var torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        var dirs = new List<string>();
        foreach (var root in new[] { torchDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(root)) continue;
            dirs.Add(Path.Combine(root, "runtimes", "linux-x64", "native"));
            dirs.Add(root);
        }
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return dirs.Select(d => Path.Combine(d, LibraryFile)).FirstOrDefault(File.Exists);
    }

    }
