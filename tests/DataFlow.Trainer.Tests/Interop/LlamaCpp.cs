using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// llama.cpp as node-llama-cpp 3.21.1 in .tools/llama-cpp (scripts/install-llama-cpp.sh), driven through
/// scripts/llama-probe.mjs: tokenize text, next-token log-probabilities at every position, greedy continuations.
/// </summary>
internal static class LlamaCpp
{
    /// <summary>CI sets DATAFLOW_REQUIRE_LLAMA_CPP=1 once the install script succeeded: the tests then fail instead of skipping.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_LLAMA_CPP") == "1";

    public static string RepositoryRoot { get; } = FindRoot();

    private static string PackageDir => Path.Combine(RepositoryRoot, ".tools", "llama-cpp");
    private static string Probe => Path.Combine(RepositoryRoot, "scripts", "llama-probe.mjs");

    /// <summary>Why llama.cpp cannot run here, or null when it can.</summary>
    public static string? Missing()
    {
        if (FindOnPath("node") is null) return "node is not installed";
        if (!File.Exists(Path.Combine(PackageDir, "node_modules", "node-llama-cpp", "package.json")))
            return $"node-llama-cpp is not installed in {PackageDir} (scripts/install-llama-cpp.sh)";
        if (!Directory.Exists(Path.Combine(PackageDir, "node_modules", "@node-llama-cpp", "linux-x64")))
            return "the prebuilt @node-llama-cpp/linux-x64 binaries are missing (scripts/install-llama-cpp.sh)";
        return null;
    }

    public static void ThrowIfMissing()
    {
        if (Missing() is { } why) throw new InvalidOperationException($"llama.cpp is needed here and DATAFLOW_REQUIRE_LLAMA_CPP=1 forbids skipping, but {why}");
    }

    /// <summary>Runs the probe on <paramref name="request"/> (its "model" is a GGUF path) and returns its JSON answer.</summary>
    public static JsonObject Ask(JsonObject request, string workDir)
    {
        ThrowIfMissing();
        var requestPath = Path.Combine(workDir, $"probe-{Guid.NewGuid():N}.json");
        var responsePath = requestPath.Replace(".json", ".out.json");
        File.WriteAllText(requestPath, request.ToJsonString());
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Probe, requestPath, responsePath }) start.ArgumentList.Add(arg);
        start.Environment["DATAFLOW_LLAMA_CPP_DIR"] = PackageDir;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("llama-probe.mjs did not finish in 3 minutes");
        }
        if (process.ExitCode != 0 || !File.Exists(responsePath))
            throw new InvalidOperationException($"llama-probe.mjs exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return JsonNode.Parse(File.ReadAllText(responsePath)) as JsonObject ?? throw new InvalidDataException("probe answer is not an object");
    }

    public static int[][] IntRows(JsonNode? node) =>
        node!.AsArray().Select(row => row!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DataFlow.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no DataFlow.sln above {AppContext.BaseDirectory}");
    }

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
}
