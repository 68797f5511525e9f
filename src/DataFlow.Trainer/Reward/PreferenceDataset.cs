using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Reward;

/// <summary>
/// Preference pairs tokenized with the chat template (each side ends at its end-of-text token); bad records go to the
/// reject sink with file and line, and so do over-long ones unless <see cref="PreferenceTruncation.Left"/> keeps their ends.
/// </summary>
public static class PreferenceDataset
{
    /// <param name="untruncatedLengths">When given, receives each loaded pair's token lengths before truncation (for length baselines).</param>
    public static List<(int[] Chosen, int[] Rejected)> Load(IEnumerable<string> paths, ChatTemplate template, IChatTokenizer tokenizer, int maxTokens, IRejectSink rejects,
        PreferenceTruncation truncation = PreferenceTruncation.None, List<(int Chosen, int Rejected)>? untruncatedLengths = null)
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
                if (Math.Max(chosen.Length, rejected.Length) > maxTokens && truncation == PreferenceTruncation.None)
                {
                    rejects.Reject(new Reject(path, lineNumber, $"pair of {Math.Max(chosen.Length, rejected.Length)} tokens exceeds max_tokens {maxTokens}", line));
                    continue;
                }
                untruncatedLengths?.Add((chosen.Length, rejected.Length));
                pairs.Add((KeepLast(chosen, maxTokens), KeepLast(rejected, maxTokens)));
            }
        }
        return pairs;
    }

    /// <summary>The last <paramref name="maxTokens"/> ids (the whole array when it fits).</summary>
    public static int[] KeepLast(int[] ids, int maxTokens) => ids.Length <= maxTokens ? ids : ids[^maxTokens..];

    /// <summary>"Longer answer wins" on pairs given by their untruncated lengths: share where chosen is longer, and share of ties.</summary>
    public static (double LongerWins, double Ties) LengthBaseline(IReadOnlyList<(int Chosen, int Rejected)> lengths) =>
        lengths.Count == 0 ? (0, 0)
            : (lengths.Count(l => l.Chosen > l.Rejected) / (double)lengths.Count, lengths.Count(l => l.Chosen == l.Rejected) / (double)lengths.Count);

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
