using DataFlow.Jobs;

namespace DataFlow.Bench.Dedup;

/// <summary>A pipeline of one stage with one worker, written to WORK/NAME.yaml and opened as a run in WORK/RUN.</summary>
internal static class OneStagePipeline
{
    /// <param name="stageKeys">The stage's keys, "key: value" each (type first).</param>
    /// <param name="extraKeys">More keys from the command line, "k: v;k2: v2".</param>
    public static RunSession Create(string workDir, string name, string runFolder, IEnumerable<string> stageKeys, string extraKeys)
    {
        var keys = stageKeys.Concat(extraKeys.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(k => k.Trim())).ToList();
        var lines = new List<string> { "workers: 1", "stages:", "  - " + keys[0] };
        lines.AddRange(keys.Skip(1).Select(k => "    " + k));
        var file = Path.Combine(workDir, name + ".yaml");
        File.WriteAllLines(file, lines);
        return RunSession.Create(file, Path.Combine(workDir, runFolder));
    }
}
