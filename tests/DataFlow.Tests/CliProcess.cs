using System.Diagnostics;

namespace DataFlow.Tests;

/// <summary>Runs the real `dataflow` CLI (built beside the tests) as a child process.</summary>
public static class CliProcess
{
    /// <summary>The CLI built by the same configuration as the tests (recorded at build time).</summary>
    public static string DllPath { get; } = typeof(CliProcess).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "DataflowCli").Value!;

    public static Process Start(string workingDir, params string[] args) => Start(workingDir, null, args);

    public static Process Start(string workingDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.ArgumentList.Add(DllPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "dumb";
        return Process.Start(info)!;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDir, params string[] args) => Run(workingDir, null, args);

    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDir, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
