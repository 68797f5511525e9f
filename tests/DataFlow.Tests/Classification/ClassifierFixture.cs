using System.Diagnostics;

namespace DataFlow.Tests.Classification;

/// <summary>
/// Labelled text built by scripts/make-classifier-fixtures.sh from Debian packages: language labels from man pages
/// in twelve languages and document-type labels from /usr/share/doc, each split into train and test files.
/// </summary>
public sealed class ClassifierFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public ClassifierFixture()
    {
        var root = AppContext.BaseDirectory;
        while (!System.IO.File.Exists(Path.Combine(root, "DataFlow.sln"))) root = Path.GetDirectoryName(root)!;
        using var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "make-classifier-fixtures.sh"), _dir.Path, "16"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stderr = script.StandardError.ReadToEndAsync();
        script.StandardOutput.ReadToEnd();
        script.WaitForExit();
        if (script.ExitCode != 0) throw new InvalidOperationException($"scripts/make-classifier-fixtures.sh failed (needs man-db and the manpages-* packages): {stderr.Result}");
    }

    public string File(string name) => _dir.File(name);

    /// <summary>A fresh folder for one test's models.</summary>
    public string NewFolder()
    {
        var path = _dir.File(Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
