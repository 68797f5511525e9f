using System.Diagnostics;

namespace DataFlow.Slurm.Tests;

/// <summary>Runs the real `dataflow` CLI (built next to the tests) as a child process, as a user or a compute node would.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    public static string DataflowDll => Path.Combine(AppContext.BaseDirectory, "dataflow.dll");

    public static Result Run(string workingDir, TimeSpan timeout, params string[] args) => Exec("dotnet", [DataflowDll, .. args], workingDir, timeout);

    public static Result Exec(string command, IReadOnlyList<string> args, string workingDir, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["TERM"] = "dumb";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} {string.Join(' ', args)} ran over {timeout}");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
