using System.Text.Json;

namespace DataFlow.Tests.Classify;

/// <summary>
/// Documents made from a fastText-format file ("__label__X text" per line, scripts/make-classifier-fixtures.sh):
/// consecutive lines of one label joined into documents of a few paragraphs, separated by blank lines, so each
/// document has newlines that fastText's command line would read as line ends.
/// </summary>
public static class LabelledDocuments
{
    public sealed record Doc(string Id, string Label, string Text);

    public static List<Doc> Read(string fastTextFile, int paragraphsPerDocument)
    {
        var docs = new List<Doc>();
        var lines = File.ReadAllLines(fastTextFile).Select(l => (Label: l[..l.IndexOf(' ')], Text: l[(l.IndexOf(' ') + 1)..])).ToList();
        foreach (var group in lines.GroupBy(l => l.Label))
        {
            var paragraphs = group.Select(l => l.Text).ToList();
            for (var i = 0; i < paragraphs.Count; i += paragraphsPerDocument)
            {
                var label = group.Key["__label__".Length..];
                docs.Add(new Doc($"{label}-{docs.Count:D4}", label, string.Join("\n\n", paragraphs.Skip(i).Take(paragraphsPerDocument))));
            }
        }
        return docs;
    }

    public static void WriteJsonl(string path, IEnumerable<Doc> docs) =>
        File.WriteAllLines(path, docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text })));

    /// <summary>The documents as the fastText command line's input: one per line, each newline replaced by one space (fastText splits on the other whitespace itself).</summary>
    public static void WriteFastTextLines(string path, IEnumerable<string> texts) =>
        File.WriteAllText(path, string.Concat(texts.Select(t => t.Replace('\n', ' ') + "\n")));
}
