using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Reward;

/// <summary>Preference pairs tokenized with the chat template (each side ends at its end-of-text token); bad or over-long records go to the reject sink with file and line.</summary>
public static class PreferenceDataset
{
    public static List<(int[] Chosen, int[] Rejected)> Load(IEnumerable<string> paths, ChatTemplate template, IChatTokenizer tokenizer, int maxTokens, IRejectSink rejects)
    {
        var pairs = new List<(int[], int[])>();
        foreach (var path in paths)
        {
            var lineNumber = 0;
            foreach (var line in ReadLines(path))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var parsed = PreferenceRecordParser.Parse(line);
                if (parsed.Pair is null)
                {
                    rejects.Reject(new Reject(path, lineNumber, parsed.Problem!, line));
                    continue;
                }
                var chosen = TokenizedConversation.Encode(template.Render(parsed.Pair.Chosen), tokenizer).Ids;
                var rejected = TokenizedConversation.Encode(template.Render(parsed.Pair.Rejected), tokenizer).Ids;
                if (Math.Max(chosen.Length, rejected.Length) > maxTokens)
                {
                    rejects.Reject(new Reject(path, lineNumber, $"pair of {Math.Max(chosen.Length, rejected.Length)} tokens exceeds max_tokens {maxTokens}", line));
                    continue;
                }
                pairs.Add((chosen, rejected));
            }
        }
        return pairs;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return File.ReadLines(path);
        return Gz(path);
        static IEnumerable<string> Gz(string path)
        {
            using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
            while (reader.ReadLine() is { } line) yield return line;
        }
    }
}
