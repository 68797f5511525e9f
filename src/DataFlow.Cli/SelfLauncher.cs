using System.Reflection;

namespace DataFlow.Cli;

/// <summary>
/// The command line that starts this same `dataflow` on another process or node: the absolute path of the
/// apphost, or `dotnet` plus the dll when run through `dotnet dataflow.dll`. Compute nodes need no PATH setup.
/// </summary>
public static class SelfLauncher
{
    public static IReadOnlyList<string> Command()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable is running");
        var entry = Assembly.GetEntryAssembly()?.Location;
        var isDotnetHost = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        if (!isDotnetHost) return [Path.GetFullPath(process)];
        if (string.IsNullOrEmpty(entry)) throw new InvalidOperationException("running under dotnet, but the entry assembly has no path");
        return [Path.GetFullPath(process), Path.GetFullPath(entry)];
    }
}
