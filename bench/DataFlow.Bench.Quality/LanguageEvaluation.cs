using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using DataFlow.Text.LanguageId;
using DataFlow.Text.Quality;

namespace DataFlow.Bench.Quality;

/// <summary>
/// Language-rule accuracy on labelled documents (JSONL[.gz] with "text" and "lang", e.g. the man pages of
/// scripts/make-text-fixtures.py): for each allowed set, how many allowed documents are kept, how many others are
/// dropped, and how many dropped ones carry their own language (or unknown) rather than an allowed one.
/// </summary>
internal static class LanguageEvaluation
{
    private static readonly string[] FineWebCandidates = ["en", "de", "fr", "es", "it", "pt", "nl", "ru", "zh", "ja"];

    public static void Run(string path)
    {
        var docs = Read(path);
        // A long document in one language behind a header in another: a French book behind an English licence.
        var english = docs.First(d => d.Lang == "en").Text;
        var french = string.Join("\n\n", docs.Where(d => d.Lang == "fr").Select(d => d.Text));
        docs.Add((english[..Math.Min(2000, english.Length)] + "\n\n" + french, "fr"));
        Console.WriteLine($"{docs.Count} documents, {docs.Select(d => d.Lang).Distinct().Count()} languages ({path}; the last: a French text behind an English header)");
        Console.WriteLine($"| mode | keep | candidates | allowed kept | others dropped | dropped others labelled right or unknown | label = package language | docs/s |");
        Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var keep in new[] { new[] { "en" }, ["zh"], ["en", "zh"] })
        {
            // Before: the detector asked only the candidates (at least two), read a 1,000-character prefix.
            var before = new LanguageIdentifierOptions { Languages = FineWebCandidates, SampleSlices = 1, Absolute = false };
            Row("before (relative, prefix)", keep, before, docs);
            Row("after (absolute, 3 slices)", keep, before with { SampleSlices = 3, Absolute = true }, docs);
            Row("after (absolute, 3 slices)", keep, new LanguageIdentifierOptions { Languages = keep }, docs);
        }
    }

    private static void Row(string mode, string[] keep, LanguageIdentifierOptions options, List<(string Text, string Lang)> docs)
    {
        var rule = new LanguageRule(new LanguageRuleOptions { Keep = keep, MinScore = 0.5, Identifier = options });
        var analyzed = new AnalyzedText();
        int allowed = 0, allowedKept = 0, others = 0, othersDropped = 0, othersRight = 0, labelRight = 0;
        var mistakes = new List<string>();
        var clock = Stopwatch.StartNew();
        foreach (var (text, lang) in docs)
        {
            var kept = rule.Check(analyzed.Reset(text)).IsKept;
            if (analyzed.Language == lang) labelRight++;
            if (keep.Contains(lang))
            {
                allowed++;
                if (kept) allowedKept++;
                continue;
            }
            others++;
            if (kept) mistakes.Add($"{lang} kept as {analyzed.Language} ({analyzed.LanguageScore:F2}): {text[..Math.Min(60, text.Length)].ReplaceLineEndings(" ")}");
            if (kept) continue;
            othersDropped++;
            if (analyzed.Language is null || !keep.Contains(analyzed.Language)) othersRight++;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {mode} | {string.Join(",", keep)} | {string.Join(",", options.Languages)} | {allowedKept}/{allowed} | {othersDropped}/{others} | {othersRight}/{others} | {labelRight}/{docs.Count} | {docs.Count / seconds:F0} |");
        foreach (var mistake in mistakes) Console.WriteLine($"    {mistake}");
    }

    private static List<(string Text, string Lang)> Read(string path)
    {
        using var file = File.OpenRead(path);
        using var stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new StreamReader(stream);
        var docs = new List<(string, string)>();
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            docs.Add((json.RootElement.GetProperty("text").GetString()!, json.RootElement.GetProperty("lang").GetString()!));
        }
        return docs;
    }
}
