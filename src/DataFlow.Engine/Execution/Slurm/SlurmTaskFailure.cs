using System.Text.Json;

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>
/// Written by the array script when a task used up its attempts: RUN/logs/STAGE/task-00003.failed.
/// Removed when the task starts again, so it always describes the latest attempt.
/// </summary>
public sealed record SlurmTaskFailure(string Stage, int Index, int ExitCode, int Attempts, string Log, string Job)
{
    public static SlurmTaskFailure? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var r = doc.RootElement;
            return new SlurmTaskFailure(r.GetProperty("stage").GetString()!, r.GetProperty("index").GetInt32(),
                r.GetProperty("exit_code").GetInt32(), r.GetProperty("attempts").GetInt32(), r.GetProperty("log").GetString()!,
                r.GetProperty("job").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null; // half-written by a killed script: the task is simply not done
        }
    }

    public override string ToString() =>
        $"stage '{Stage}' task {Index} failed (exit code {ExitCode} after {Attempts} attempt(s), Slurm job {Job}); log: {Log}";
}
