using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Text.Normalization;
using DataFlow.Text.Quality;

namespace DataFlow.Tests.Quality;

/// <summary>
/// Kept text is the input as written, through ingest (JSONL.gz -> Parquet) and quality. Input: Debian files with code indentation, tabs, TSV, CRLF, trailing spaces
/// and roff sources (Fixtures/kept-text.jsonl.gz, built by scripts/make-text-fixtures.py); the reference is the
/// fixture file itself, read here with System.Text.Json, and for C4 line removal the published C4 line criteria
/// computed line by line in this test.
/// </summary>
public sealed partial class KeptTextTests : IDisposable
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kept-text.jsonl.gz");
    private readonly string _dir = Directory.CreateTempSubdirectory("dataflow-kept-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static List<(string Id, string Text)> ReadFixture(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var result = new List<(string, string)>();
        while (reader.ReadLine() is { } line)
        {
            using var json = JsonDocument.Parse(line);
            result.Add((json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("text").GetString()!));
        }
        return result;
    }

    private (Dictionary<string, string> Kept, TaskStats Stats) Run(string stage)
    {
        var pipeline = Path.Combine(_dir, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            stages:
              - type: ingest
                input: {Fixture}
              - type: quality
                tasks: 1
            {stage}
            """);
        var session = RunSession.Create(pipeline, Path.Combine(_dir, "run-" + Guid.NewGuid().ToString("N")));
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        var outDir = session.Run.OutputDir(session.Pipeline.Stages[1]);
        var kept = Directory.GetFiles(outDir, "part-*.parquet")
            .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, new ThrowingRejects()))
            .ToDictionary(d => d.Id, d => d.Text);
        return (kept, TaskStats.Load(session.Run.TaskStatsFile("quality", 0)));
    }

    [Fact]
    public void Normalized_analysis_leaves_kept_documents_byte_for_byte_as_written()
    {
        var input = ReadFixture(Fixture);
        var normalizer = new TextNormalizer();
        // The test can fail: normalization changes most of these files (indentation, tabs, CRLF, trailing spaces).
        Assert.True(input.Count(d => normalizer.Normalize(d.Text) != d.Text) >= 10);
        Assert.Contains(input, d => d.Text.Contains("\r\n"));
        Assert.Contains(input, d => d.Text.Contains('\t'));

        // A rule that reads the normalized text and keeps every document.
        var (kept, stats) = Run("""
                normalize: true
                rules:
                  - type: c4_badwords
                    words: [qqqzzzxxx]
                  - type: gopher_repetition
                    dup_line_frac: null
                    dup_para_frac: null
                    dup_line_char_frac: null
                    dup_para_char_frac: null
                    top_n_grams: null
                    dup_n_grams: null
            """);
        Assert.Equal(input.Count, kept.Count);
        foreach (var (id, text) in input) Assert.True(text == kept[id], $"{id} was rewritten");
        Assert.Equal(0, stats.Counter("docs_rewritten"));
    }

    [Fact]
    public void Rewrite_normalized_writes_the_normalized_text_and_counts_it()
    {
        var input = ReadFixture(Fixture);
        var normalizer = new TextNormalizer();
        var (kept, stats) = Run("""
                rewrite: normalized
                rules:
                  - type: c4_badwords
                    words: [qqqzzzxxx]
            """);
        var changed = input.Count(d => normalizer.Normalize(d.Text) != d.Text);
        foreach (var (id, text) in input) Assert.Equal(normalizer.Normalize(text), kept[id]);
        Assert.Equal(changed, stats.Counter("docs_rewritten"));
        Assert.Equal(changed, stats.Counter("rewritten.normalized"));
    }

    [Fact]
    public void C4_line_removal_keeps_the_remaining_lines_as_written()
    {
        var input = ReadFixture(Fixture);
        // Line filters only (no page-level drops), so every document is kept and the line decisions show.
        var (kept, stats) = Run("""
                rules:
                  - type: c4
                    remove_citations: false
                    min_num_sentences: -1
                    min_words_per_line: -1
                    filter_lorem_ipsum: false
                    filter_curly_bracket: false
            """);
        var rewritten = 0;
        foreach (var (id, text) in input)
        {
            // C4 (tfds c4_utils): a line stays when, stripped, it ends in terminal punctuation (not "..."), has no
            // word over 1000 characters, no "javascript" and no policy phrase. (The 3-word minimum is off above: our
            // words trim punctuation, tfds counts line.split(); that difference is the compat mode's business.)
            var expected = string.Concat(LinesWithBreaks(text).Where(l => C4Keeps(l.TrimEnd('\r', '\n'))));
            if (!kept.TryGetValue(id, out var actual)) actual = "";   // a document with no line left is written empty
            Assert.True(expected == actual, $"{id}: expected {expected.Length} chars, got {actual.Length}");
            if (expected != text) rewritten++;
        }
        Assert.True(rewritten >= 10, $"only {rewritten} documents lost lines");
        Assert.Equal(rewritten, stats.Counter("docs_rewritten"));
        Assert.Equal(rewritten, stats.Counter("rewritten.c4.lines_removed"));
    }

    [Fact]
    public void Citation_markers_go_from_the_lines_as_written_and_indentation_stays()
    {
        var original = "\tThe quick brown fox jumps over the dog.[1]\r\n  Second line of the text, indented.[citation needed]  \r\nno\r\n";
        var normalizer = new TextNormalizer();
        var analyzed = new AnalyzedText().Reset(normalizer.Normalize(original));
        Assert.True(new C4QualityRule(new C4QualityOptions { MinSentences = -1 }).Check(analyzed).IsKept);
        var reasons = new List<string>();
        var kept = KeptText.Of(original, analyzed, normalizer, reasons);
        Assert.Equal("\tThe quick brown fox jumps over the dog.\r\n  Second line of the text, indented.\r\n", kept);
        Assert.Equal([C4QualityRule.LinesRemoved, C4QualityRule.CitationsRemoved], reasons);
    }

    [Fact]
    public void Every_visible_line_as_written_maps_to_one_normalized_line()
    {
        // Lines made of spaces, tabs, control and zero-width characters vanish or merge; visible lines stay one each.
        var pieces = new[] { "word", " ", "\t", "\u00a0", "\u200b", "\u0001", "\ufeff", "é", "e\u0301", "\r\n", "\n", "\r", "\u2028", "\u0085", "\u000b", "\n\n\n" };
        var random = new Random(18);
        var normalizer = new TextNormalizer();
        for (var round = 0; round < 2000; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(pieces.Length)]));
            var analyzed = new AnalyzedText().Reset(normalizer.Normalize(text));
            // Remove every other line; the kept text must hold exactly the visible lines as written that map to kept lines.
            var keep = Enumerable.Range(0, analyzed.LineCount).Select(i => i % 2 == 0).ToArray();
            analyzed.RemoveLines(keep, "", 0, blankLinesKept: false, "test");
            var kept = KeptText.Of(text, analyzed, normalizer, new List<string>());
            var visibleAsWritten = LineBreak().Split(text).Where(l => normalizer.IsVisibleLine(l)).ToList();
            var visibleNormalized = analyzed.Source.Split('\n').Where(l => l.Length > 0).ToList();
            Assert.Equal(visibleNormalized.Count, visibleAsWritten.Count);
            var expectedKept = visibleAsWritten.Where((_, k) => IsKeptVisible(analyzed.Source, k)).ToList();
            Assert.Equal(expectedKept, LineBreak().Split(kept).Where(l => normalizer.IsVisibleLine(l)).ToList());
        }
    }

    /// <summary>Whether the k-th non-empty line of the normalized text has an even line index (kept above).</summary>
    private static bool IsKeptVisible(string normalized, int k)
    {
        var lines = normalized.Split('\n');
        var visible = -1;
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].Length > 0 && ++visible == k) return i % 2 == 0;
        throw new InvalidOperationException("no such line");
    }

    private static IEnumerable<string> LinesWithBreaks(string text) =>
        LineWithBreak().Matches(text).Select(m => m.Value).Where(l => l.Length > 0);

    private static bool C4Keeps(string line)
    {
        var s = line.Trim();
        var words = WhiteSpace().Split(s).Where(w => w.Length > 0).ToList();
        if (words.Any(w => w.Length > 1000)) return false;
        if (s.Length == 0 || !".?!\"'".Contains(s[^1]) || s.EndsWith("...")) return false;
        if (s.Contains("javascript", StringComparison.OrdinalIgnoreCase)) return false;
        string[] policy = ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];
        return !policy.Any(p => s.Contains(p, StringComparison.OrdinalIgnoreCase));
    }

    // The line breaks the normalizer reads: "\r\n", "\r", "\n", U+0085, U+2028, U+2029.
    [GeneratedRegex("[^\r\n\u0085\u2028\u2029]*(\r\n|[\r\n\u0085\u2028\u2029]|$)")]
    private static partial Regex LineWithBreak();

    [GeneratedRegex("\r\n|[\r\n\u0085\u2028\u2029]")]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private sealed class ThrowingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidOperationException(reject.ToString());
    }
}
