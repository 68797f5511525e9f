using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// How far two sentence dedups of the same input agree: for each input document, the characters each tool removed
/// (a dropped document loses all of them), found by aligning the kept text back onto the original (kept text is
/// the original with spans cut out, so a greedy left-to-right match recovers which characters went). Whitespace is
/// not counted. Prints the removed characters of each, their overlap, and the share of documents both changed.
/// </summary>
internal static class SentenceAgreement
{
    public static void Run(string inputJsonl, string datatroveJsonl, string oursDir)
    {
        var reference = ReadJsonl(datatroveJsonl);
        var ours = Directory.GetFiles(oursDir, "part-*.parquet")
            .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new ThrowingRejects()))
            .ToDictionary(d => d.Id, d => d.Text);
        long both = 0, onlyReference = 0, onlyOurs = 0, docsBoth = 0, docsReference = 0, docsOurs = 0, total = 0;
        foreach (var (id, text) in ReadJsonl(inputJsonl))
        {
            var a = Removed(text, reference.GetValueOrDefault(id));
            var b = Removed(text, ours.GetValueOrDefault(id));
            var anyA = false;
            var anyB = false;
            for (var i = 0; i < text.Length; i++)
            {
                if (char.IsWhiteSpace(text[i])) continue;
                total++;
                anyA |= a[i];
                anyB |= b[i];
                if (a[i] && b[i]) both++;
                else if (a[i]) onlyReference++;
                else if (b[i]) onlyOurs++;
            }
            if (anyA) docsReference++;
            if (anyB) docsOurs++;
            if (anyA && anyB) docsBoth++;
        }
        var union = both + onlyReference + onlyOurs;
        Console.WriteLine($"non-space characters: {total:N0}; removed by datatrove {both + onlyReference:N0}, by DataFlow {both + onlyOurs:N0}, by both {both:N0}");
        Console.WriteLine($"agreement (both / either): {100.0 * both / Math.Max(1, union):F1} %; of datatrove's removals DataFlow made {100.0 * both / Math.Max(1, both + onlyReference):F1} %, of DataFlow's datatrove made {100.0 * both / Math.Max(1, both + onlyOurs):F1} %");
        Console.WriteLine($"documents changed or dropped: datatrove {docsReference:N0}, DataFlow {docsOurs:N0}, both {docsBoth:N0}");
    }

    private static Dictionary<string, string> ReadJsonl(string path) =>
        File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("text").GetString()!);

    /// <summary>Which characters of <paramref name="original"/> are missing from <paramref name="kept"/> (all when dropped).</summary>
    private static bool[] Removed(string original, string? kept)
    {
        var removed = new bool[original.Length];
        if (kept is null)
        {
            Array.Fill(removed, true);
            return removed;
        }
        var q = 0;
        for (var p = 0; p < original.Length; p++)
        {
            if (q < kept.Length && original[p] == kept[q]) q++;
            else removed[p] = true;
        }
        return removed;
    }
}
