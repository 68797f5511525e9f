using System.Diagnostics;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>Runs an outside client (python3, node) with arguments and optional stdin; returns its exit code and output.</summary>
internal static class ClientProcess
{
    public static (int Code, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments, string? stdin = null, int timeoutMs = 300_000)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = stdin is not null, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = stdin is null ? null : new System.Text.UTF8Encoding(false),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in {timeoutMs / 1000} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>True when <paramref name="file"/> runs <paramref name="probe"/> successfully (a client and its package are installed).</summary>
    public static bool Works(string file, params string[] probe)
    {
        try { return Run(file, probe, timeoutMs: 60_000).Code == 0; }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException) { return false; }
    }
}
