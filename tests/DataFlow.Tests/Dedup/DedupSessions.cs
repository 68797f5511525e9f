using DataFlow.Jobs;

namespace DataFlow.Tests.Dedup;

/// <summary>A one-stage pipeline over the JSONL files f*.jsonl of a temp folder, with extra stage keys, as a run session.</summary>
internal static class DedupSessions
{
    /// <param name="keys">Extra keys of the stage, one "key: value" per line.</param>
    public static RunSession FromKeys(TempDir tmp, string keys, string run = "run", string type = "dedup", int workers = 1)
    {
        var yaml = $"""
            workers: {workers}
            stages:
              - type: {type}
                input: {tmp.File("f*.jsonl")}
                output: {tmp.File(run + "-out")}
                keep_removed: true
            {string.Join('\n', keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "    " + l.Trim()))}
            """;
        var file = tmp.File(run + ".yaml");
        File.WriteAllText(file, yaml);
        return RunSession.Create(file, tmp.File(run));
    }
}
