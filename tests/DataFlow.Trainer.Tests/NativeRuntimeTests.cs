using System.Runtime.InteropServices;
using DataFlow.Trainer.Native;

namespace DataFlow.Trainer.Tests;

public sealed partial class NativeRuntimeTests
{
    private static string ShippedLibrary()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [Fact]
    public void Patcher_marks_only_the_unused_glibcxx_version_weak()
    {
        var path = ShippedLibrary();
        Assert.True(File.Exists(path), $"{path}: the pristine library from the NuGet cache (restored with this project) is missing");
        var image = File.ReadAllBytes(path);
        Assert.Equal(ElfVersionPatcher.Outcome.Patched, ElfVersionPatcher.MakeWeak(image, "GLIBCXX_3.4.32", ["_ZSt21ios_base_library_initv"]));
        Assert.Equal(1, image.Zip(File.ReadAllBytes(path)).Count(p => p.First != p.Second)); // one flag byte
        Assert.Equal(ElfVersionPatcher.Outcome.AlreadyWeak, ElfVersionPatcher.MakeWeak(image, "GLIBCXX_3.4.32", ["_ZSt21ios_base_library_initv"]));
        Assert.Equal(ElfVersionPatcher.Outcome.NotRequired, ElfVersionPatcher.MakeWeak(image, "GLIBCXX_9.9.9", []));
    }

    [Fact]
    public void Patcher_refuses_a_version_whose_symbols_are_used()
    {
        var path = ShippedLibrary();
        Assert.True(File.Exists(path), $"{path}: the pristine library from the NuGet cache (restored with this project) is missing");
        var image = File.ReadAllBytes(path);
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MakeWeak(image, "GLIBCXX_3.4.32", []));
        Assert.Contains("_ZSt21ios_base_library_initv", e.Message);
    }

    [Fact]
    public void Libtorch_loads_and_openmp_settings_reach_the_native_environment()
    {
        TorchRuntime.EnsureInitialized();
        using var sum = TorchSharp.torch.ones(4, 4).sum();
        Assert.Equal(16f, sum.item<float>());
        Assert.Matches("loaded|patched", TorchRuntime.LoadReport);
        var policy = Marshal.PtrToStringUTF8(getenv("OMP_WAIT_POLICY"));
        Assert.Equal(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY"), policy);
        Assert.NotNull(policy);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
