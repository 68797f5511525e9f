namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// A fact that needs Debian's /usr/bin/python3 with numpy (apt-get install python3-numpy); skipped with the reason when
/// missing, unless DATAFLOW_REQUIRE_PYTHON=1 (.ci/run sets it after installing): then it runs and fails.
/// </summary>
public sealed class NumpyReferenceFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public NumpyReferenceFactAttribute()
    {
        if (!Required && !Available.Value) Skip = $"{Python} with numpy is not installed (apt-get install -y python3-numpy)";
    }

    public static bool Required => Environment.GetEnvironmentVariable("DATAFLOW_REQUIRE_PYTHON") == "1";

    public static readonly Lazy<bool> Available = new(() => ClientProcess.Works(Python, "-c", "import numpy"));
}
