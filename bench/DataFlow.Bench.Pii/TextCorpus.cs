using System.IO.Compression;
using System.Text.Json;

namespace DataFlow.Bench.Pii;

/// <summary>Loads the "text" field of JSONL / JSONL.gz files (or whole .txt files) into memory.</summary>
internal static class TextCorpus
{
    public static List<string> Load(IEnumerable<string> paths, long maxChars = long.MaxValue)
    {
        var texts = new List<string>();
        long total = 0;
        foreach (var path in paths)
        {
            if (path.EndsWith(".txt"))
            {
                texts.Add(File.ReadAllText(path));
                continue;
            }
            using Stream raw = File.OpenRead(path);
            using Stream s = path.EndsWith(".gz") ? new GZipStream(raw, CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(s);
            while (reader.ReadLine() is { } line && total < maxChars)
            {
                using var doc = JsonDocument.Parse(line);
                var text = doc.RootElement.GetProperty("text").GetString() ?? "";
                texts.Add(text);
                total += text.Length;
            }
        }
        return texts;
    }
}
