using System.Text.Json;

namespace DataFlow.Slurm.Tests;

/// <summary>A fresh folder under /tmp (visible to the single-host cluster's jobs), deleted at dispose.</summary>
public sealed class TestFolder : IDisposable
{
    public TestFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dataflow-slurm-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string text)
    {
        var file = Sub(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>Writes <paramref name="files"/> JSONL files of <paramref name="docsPerFile"/> distinct documents; returns the glob.</summary>
    public string WriteCorpus(int files, int docsPerFile)
    {
        for (var f = 0; f < files; f++)
        {
            var lines = Enumerable.Range(0, docsPerFile).Select(i => JsonSerializer.Serialize(new
            {
                id = $"f{f}-d{i}",
                text = $"Document {i} of file {f}. " + string.Join(' ', Enumerable.Repeat($"word{(f * 31 + i) % 97}", 20 + i % 13)),
            }));
            Write($"corpus/part-{f:D3}.jsonl", string.Join('\n', lines) + "\n");
        }
        return Sub("corpus/*.jsonl");
    }

    /// <summary>The repository's committed sample corpus (data/sample), found by walking up from the test binaries.</summary>
    public static string? RepoSampleData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var sample = System.IO.Path.Combine(dir.FullName, "data", "sample");
            if (Directory.Exists(sample) && Directory.EnumerateFiles(sample, "*.jsonl.gz").Any()) return sample;
        }
        return null;
    }

    /// <summary>The repository root (holds conf/pipeline.sample.yaml), found by walking up from the test binaries.</summary>
    public static string? RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "conf", "pipeline.sample.yaml"))) return dir.FullName;
        return null;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
