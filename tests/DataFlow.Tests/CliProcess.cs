using System.Diagnostics;

namespace DataFlow.Tests;

/// <summary>Runs the real `dataflow` CLI (built beside the tests) as a child process.</summary>
public static class CliProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "dataflow.dll");

    public static Process Start(string workingDir, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(DllPath);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "dumb";
        return Process.Start(info)!;
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDir, params string[] args)
    {
        using var process = Start(workingDir, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
