namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// A fact that needs node and the JavaScript Hugging Face tokenizers in .tools/hf-js (scripts/install-hf-js.sh); skipped
/// with the reason when missing, unless DATAFLOW_REQUIRE_NODE=1 (.ci/run sets it after installing): then it runs and fails.
/// </summary>
public sealed class HfJsPeerFactAttribute : FactAttribute
{
    public HfJsPeerFactAttribute()
    {
        if (!Required && Missing.Value is { } why) Skip = why;
    }

    public static bool Required => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_NODE") == "1";

    public static string Modules => Path.Combine(HfFixtures.RepoRoot(), ".tools", "hf-js", "node_modules");

    public static readonly Lazy<string?> Missing = new(() =>
        !ClientProcess.Works("node", "--version") ? "node is not installed"
        : !File.Exists(Path.Combine(Modules, "@huggingface", "tokenizers", "package.json")) ? $"{Modules}/@huggingface/tokenizers is missing (run scripts/install-hf-js.sh)"
        : null);
}
