using System.Text;

namespace DataFlow.Tokenize.Bench;

/// <summary>The first documents of a corpus file, up to a byte budget, held in memory so timing excludes I/O.</summary>
internal static class BenchCorpus
{
    public static List<string> Load(IReadOnlyList<string> paths, long skipBytes, long maxBytes) =>
        StreamingCorpus.Read(paths, skipBytes, maxBytes).ToList();

    public static long Bytes(IEnumerable<string> texts) => texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));

    /// <summary>Finds /work/shared-style data: $DATAFLOW_SHARED, else a `shared` folder beside an ancestor of the current directory.</summary>
    public static string? SharedPath(string relative)
    {
        if (Environment.GetEnvironmentVariable("DATAFLOW_SHARED") is { Length: > 0 } env) return Path.Combine(env, relative);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", relative);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
