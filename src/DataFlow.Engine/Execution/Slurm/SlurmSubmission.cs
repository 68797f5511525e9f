using System.Text.Json;
using System.Text.Json.Serialization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>What one <c>dataflow submit</c> put in the queue; saved in RUN/slurm/submission.json for status and cancel.</summary>
public sealed record SlurmSubmission(DateTime SubmittedUtc, IReadOnlyList<SlurmArrayJob> Jobs)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(RunFolder run) => System.IO.Path.Combine(run.Root, "slurm", "submission.json");

    public static SlurmSubmission? Load(RunFolder run)
    {
        var path = PathIn(run);
        return File.Exists(path) ? JsonSerializer.Deserialize<SlurmSubmission>(File.ReadAllText(path), Json) : null;
    }

    public void Save(RunFolder run) => AtomicFile.WriteAllText(PathIn(run), JsonSerializer.Serialize(this, Json));

    public IEnumerable<long> JobIds => Jobs.Select(j => j.JobId);
}
