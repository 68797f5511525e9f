using System.IO.Compression;
using System.Text.Json;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// Mixed English / Chinese / code / e-mail text gathered from files already on the machine (the sample corpora, the
/// repository's own sources, the system's licence texts), so no fixture is committed for it.
/// </summary>
internal static class InteropCorpus
{
    /// <summary>About <paramref name="perSource"/> pieces of one to three consecutive lines from each source, in a fixed order.</summary>
    public static IReadOnlyList<string> Pieces(int perSource = 600)
    {
        var root = LlamaCpp.RepositoryRoot;
        var sample = Path.Combine(root, "data", "sample");
        var sources = new List<IEnumerable<string>>
        {
            JsonlTexts(Path.Combine(sample, "moby-dick.jsonl.gz")),
            JsonlTexts(Path.Combine(sample, "sotu.jsonl.gz")),
            JsonlTexts(Path.Combine(sample, "chinese-poetry.jsonl.gz")),
            JsonlTexts(Path.Combine(sample, "linux-doc-zh.jsonl.gz")),
            JsonlTexts(Path.Combine(sample, "spam-assassin.jsonl.gz")),
            Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText),
            Directory.Exists("/usr/share/common-licenses")
                ? Directory.EnumerateFiles("/usr/share/common-licenses").Order(StringComparer.Ordinal).Select(File.ReadAllText)
                : [],
        };
        var pieces = new List<string>();
        foreach (var texts in sources) pieces.AddRange(Take(texts, perSource));
        return pieces;
    }

    /// <summary>Lines with their newlines (one to three joined, by position), skipping blank ones, until <paramref name="count"/>.</summary>
    private static IEnumerable<string> Take(IEnumerable<string> texts, int count)
    {
        var taken = 0;
        var index = 0;
        foreach (var text in texts)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length && taken < count; index++)
            {
                var width = 1 + index % 3;
                var piece = string.Join('\n', lines.Skip(i).Take(width));
                i += width;
                if (string.IsNullOrWhiteSpace(piece)) continue;
                // Every other piece keeps a trailing newline: newline handling differs between pre-tokenizers.
                yield return index % 2 == 0 ? piece + "\n" : piece;
                taken++;
            }
            if (taken >= count) yield break;
        }
    }

    private static IEnumerable<string> JsonlTexts(string path)
    {
        if (!File.Exists(path)) yield break;
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            using var document = JsonDocument.Parse(line);
            yield return document.RootElement.GetProperty("text").GetString() ?? "";
        }
    }
}
