using System.Diagnostics;

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>The Slurm commands the executor uses, called as processes (no Slurm library is linked).</summary>
public sealed class SlurmClient
{
    /// <summary>True when the Slurm client tools exist and the controller answers.</summary>
    public static bool IsAvailable(out string why)
    {
        try
        {
            var (code, output, error) = Exec("scontrol", ["ping"]);
            why = code == 0 && output.Contains("UP", StringComparison.Ordinal) ? "" : $"slurmctld is not answering: {(output + error).Trim()}";
        }
        catch (SlurmCommandException e)
        {
            why = e.Message;
        }
        return why.Length == 0;
    }

    /// <summary>Submits a batch script and returns the job id (<c>sbatch --parsable</c>).</summary>
    public long Submit(IReadOnlyList<string> sbatchArgs, string script, IReadOnlyList<string> scriptArgs)
    {
        var (code, output, error) = Exec("sbatch", ["--parsable", .. sbatchArgs, script, .. scriptArgs]);
        if (code != 0) throw new SlurmCommandException($"sbatch failed ({code}): {error.Trim()}");
        var first = output.Trim().Split(';')[0];
        return long.TryParse(first, out var id) ? id : throw new SlurmCommandException($"sbatch printed no job id: '{output.Trim()}'");
    }

    /// <summary>Every job and array element the controller still knows (pending, running, completing).</summary>
    public IReadOnlyList<SlurmQueueEntry> Queue()
    {
        var (code, output, error) = Exec("squeue", ["-h", "-r", "-o", "%F|%K|%T|%r"]);
        if (code != 0) throw new SlurmCommandException($"squeue failed ({code}): {error.Trim()}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SlurmQueueEntry.Parse).OfType<SlurmQueueEntry>().ToList();
    }

    public void Cancel(IEnumerable<long> jobIds)
    {
        var ids = jobIds.Select(j => j.ToString()).ToList();
        if (ids.Count == 0) return;
        var (code, _, error) = Exec("scancel", ids);
        if (code != 0) throw new SlurmCommandException($"scancel failed ({code}): {error.Trim()}");
    }

    /// <summary>The cluster's MaxArraySize: array indices must stay below it.</summary>
    public int MaxArraySize()
    {
        var (code, output, error) = Exec("scontrol", ["show", "config"]);
        if (code != 0) throw new SlurmCommandException($"scontrol show config failed ({code}): {error.Trim()}");
        foreach (var line in output.Split('\n'))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && parts[0].Trim() == "MaxArraySize" && int.TryParse(parts[1].Trim(), out var size)) return size;
        }
        return 1001; // Slurm's documented default
    }

    private static (int Code, string Output, string Error) Exec(string command, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new SlurmCommandException($"could not start {command}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new SlurmCommandException($"'{command}' is not available ({e.Message}); install Slurm or run scripts/slurm-up.sh");
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, error.Result);
        }
    }
}
