using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace DataFlow.Bench.Dedup;

/// <summary>Loads {"id","text"} JSONL (plain or .gz) into memory, optionally cut into ~N-byte documents at paragraph breaks.</summary>
internal static class BenchCorpus
{
    public static List<(string Id, string Text)> Load(string path, int splitBytes = 0)
    {
        var docs = new List<(string, string)>();
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            using var json = JsonDocument.Parse(line);
            var id = json.RootElement.GetProperty("id").ToString();
            var text = json.RootElement.GetProperty("text").GetString() ?? "";
            if (splitBytes <= 0) { docs.Add((id, text)); continue; }
            var part = 0;
            foreach (var chunk in Split(text, splitBytes)) docs.Add(($"{id}#{part++}", chunk));
        }
        return docs;
    }

    /// <summary>Cuts at the first paragraph (or line) break after <paramref name="target"/> characters.</summary>
    public static IEnumerable<string> Split(string text, int target)
    {
        var start = 0;
        while (start < text.Length)
        {
            if (text.Length - start <= target * 3 / 2) { yield return text[start..]; yield break; }
            var cut = text.IndexOf("\n\n", start + target, StringComparison.Ordinal);
            if (cut < 0 || cut > start + target * 2) cut = text.IndexOf('\n', start + target);
            if (cut < 0 || cut > start + target * 2) cut = text.IndexOf(' ', start + target);
            if (cut < 0) cut = text.Length;
            yield return text[start..cut];
            start = cut + 1;
        }
    }

    /// <summary>A copy of <paramref name="doc"/> with a share of its words replaced by other words of the same document.</summary>
    public static (string Id, string Text) Mutate((string Id, string Text) doc, int variant, double share)
    {
        var seed = (int)(System.IO.Hashing.XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(doc.Id)) & 0x7FFFFFFF) ^ variant;
        var rng = new Random(seed);
        var words = doc.Text.Split(' ');
        for (var k = (int)(words.Length * share); k > 0; k--) words[rng.Next(words.Length)] = words[rng.Next(words.Length)];
        return ($"{doc.Id}~{variant}", string.Join(' ', words));
    }

    public static void WriteJsonl(string path, IEnumerable<(string Id, string Text)> docs)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        foreach (var (id, text) in docs) writer.WriteLine(JsonSerializer.Serialize(new { id, text }));
    }
}
