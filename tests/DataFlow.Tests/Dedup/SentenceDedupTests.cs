using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Text.Dedup;
using DataFlow.Text.Normalization;

namespace DataFlow.Tests.Dedup;

/// <summary>
/// Sentence-span dedup (<c>sentences: N</c>) on the project's own sample text (State of the Union addresses and the
/// Chinese kernel docs from data/sample) with planted repeated spans, compared with a brute-force search written here:
/// every window of N sentences in input order, compared as strings, the first occurrence kept.
/// </summary>
public sealed class SentenceDedupTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string SampleDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DataFlow.sln"))) return Path.Combine(dir.FullName, "data", "sample");
        throw new DirectoryNotFoundException("DataFlow.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> SampleTexts(string file)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(SampleDir(), file)), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
            yield return JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!;
    }

    /// <summary>Documents of about 2,500 characters cut at sentence ends from the sample files.</summary>
    private static List<string> Chunks(string file, int count)
    {
        var chunks = new List<string>();
        foreach (var text in SampleTexts(file))
        {
            var start = 0;
            foreach (var sentence in Split(text))
            {
                if (sentence.End - start < 2500) continue;
                chunks.Add(text[start..sentence.End].Trim());
                start = sentence.End;
                if (chunks.Count == count) return chunks;
            }
        }
        return chunks;
    }

    private static List<TextRange> Split(string text)
    {
        var sentences = new List<TextRange>();
        SentenceSplitter.Spans(text, sentences);
        return sentences;
    }

    /// <summary>Inserts <paramref name="span"/> before sentence <paramref name="at"/> of <paramref name="text"/>.</summary>
    private static string Plant(string text, string span, int at)
    {
        var sentences = Split(text);
        var position = sentences[Math.Min(at, sentences.Count - 1)].Start;
        return text[..position] + span + " " + text[position..];
    }

    /// <summary>
    /// 60 English and 20 Chinese documents; one English three-sentence span planted in every 10th English document
    /// (6 copies: en03, en13, ... en53) and a Chinese one in every 5th Chinese document (4 copies: zh01 ... zh16).
    /// </summary>
    private (List<(string Id, string Text)> Docs, string English, string Chinese) Corpus()
    {
        var english = Chunks("sotu.jsonl.gz", 70);
        var chinese = Chunks("linux-doc-zh.jsonl.gz", 40);
        // The planted spans come from a document that is not in the corpus (the first later one with 6 sentences).
        var en = english.Skip(60).First(t => Split(t).Count >= 6);
        var enSentences = Split(en);
        var enSpan = en[enSentences[2].Start..enSentences[4].End];
        var zh = chinese.Skip(20).First(t => Split(t).Count >= 6);
        var zhSentences = Split(zh);
        var zhSpan = zh[zhSentences[1].Start..zhSentences[3].End];
        var docs = new List<(string, string)>();
        for (var i = 0; i < 60; i++) docs.Add(($"en{i:D2}", i % 10 == 3 ? Plant(english[i], enSpan, 2 + i % 4) : english[i]));
        for (var i = 0; i < 20; i++) docs.Add(($"zh{i:D2}", i % 5 == 1 ? Plant(chinese[i], zhSpan, 1 + i % 3) : chinese[i]));
        return (docs, enSpan, zhSpan);
    }

    /// <summary>
    /// The reference: documents in input order; every window of n sentences whose normalized sentences are not all
    /// empty is looked up as a string among the windows seen before (this document's earlier ones included); a window
    /// seen before marks its n sentences removed. The kept text is what datatrove's filter keeps: each sentence with the
    /// text before it back to the previous sentence's end (the last also with what follows it), trimmed at the start.
    /// </summary>
    private static Dictionary<string, (string Text, int Removed)> BruteForce(IEnumerable<(string Id, string Text)> docs, int n)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, (string, int)>();
        var buffer = new char[1 << 20];
        foreach (var (id, text) in docs)
        {
            var sentences = Split(text);
            var normalized = sentences.Select(s => new string(buffer, 0, SentenceSpans.Normalize(s.Of(text), buffer, 0))).ToList();
            var removed = new bool[sentences.Count];
            for (var k = 0; k + n <= sentences.Count; k++)
            {
                var window = normalized.Skip(k).Take(n).ToList();
                if (window.All(w => w.Length == 0)) continue;
                if (!seen.Add(string.Join(" ", window)))
                    for (var j = k; j < k + n; j++) removed[j] = true;
            }
            if (!removed.Contains(true))
            {
                result[id] = (text, 0);
                continue;
            }
            var kept = new StringBuilder();
            for (var k = 0; k < sentences.Count; k++)
                if (!removed[k])
                {
                    var from = k == 0 ? 0 : sentences[k - 1].End;
                    var to = k == sentences.Count - 1 ? text.Length : sentences[k].End;
                    kept.Append(text, from, to - from);
                }
            result[id] = (kept.ToString().TrimStart(), removed.Count(r => r));
        }
        return result;
    }

    private void Write(string name, IEnumerable<(string Id, string Text)> docs) =>
        File.WriteAllLines(_tmp.File(name), docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text })));

    private RunSession Session(string keys, string run = "run") => DedupSessions.FromKeys(_tmp, keys, run);

    private static void Execute(RunSession session, IExecutionObserver? observer = null, CancellationToken cancel = default) =>
        new LocalExecutor(1, observer).Run(session.Run, session.Pipeline, cancel, null);

    private static List<Document> ReadShards(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal)
                .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToList()
            : [];

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public void Spans_are_the_sentences_count_counts_and_end_at_terminators()
    {
        foreach (var text in Chunks("sotu.jsonl.gz", 20).Concat(Chunks("linux-doc-zh.jsonl.gz", 20)))
        {
            var sentences = Split(text);
            Assert.Equal(SentenceSplitter.Count(text), sentences.Count);
            for (var k = 0; k < sentences.Count; k++)
            {
                var s = sentences[k].Of(text);
                Assert.False(char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]));
                if (k < sentences.Count - 1) Assert.True(".!?\"')]\u201d\u2019\u00bb。！？".Contains(s[^1]), $"sentence '{s}' ends at '{s[^1]}'");
            }
        }
        const string sample = "One.  Two!\n三。四？ e.g. this one. . last  ";
        Assert.Equal(["One.", "Two!", "三。", "四？", "e.g. this one.", "last"], Split(sample).Select(r => sample[r.Start..r.End]).ToArray());
        Assert.Equal(6, SentenceSplitter.Count(sample));
    }

    [Fact]
    public void Normalization_folds_case_accents_punctuation_and_numbers()
    {
        var buffer = new char[100];
        string Norm(string s) => new(buffer, 0, SentenceSpans.Normalize(s, buffer, 0));
        Assert.Equal("cafe costs 0 euros", Norm("  Café — costs 3,50 euros!! "));
        Assert.Equal(Norm("The year 1999, again."), Norm("the YEAR 2024 again"));
        Assert.Equal("", Norm(" -- ... ** "));
        Assert.Equal("中文句子", Norm("中文句子。"));
    }

    [Fact]
    public void Remove_cuts_overlapping_spans_and_keeps_whitespace_of_kept_sentences()
    {
        var text = "A one. B two.\nC three. D four.  E five. F six.";
        var kernel = new SentenceSpans(2);
        var (left, removed) = kernel.Remove(text, Split(text), [1, 2]);
        Assert.Equal(3, removed);
        Assert.Equal("A one.  E five. F six.", left);
        (left, removed) = kernel.Remove(text, Split(text), [0]);
        Assert.Equal(("C three. D four.  E five. F six.", 2), (left, removed));
    }

    [Fact]
    public void Planted_spans_are_removed_exactly_as_a_brute_force_search_finds_them_and_nothing_else()
    {
        var (docs, enSpan, zhSpan) = Corpus();
        Write("f1.jsonl", docs);
        var session = Session("tasks: 1\nsentences: 3\nmin_doc_words: 0\nmin_sentences: 0");
        Execute(session);
        var expected = BruteForce(docs, 3);
        var output = ReadShards(_tmp.File("run-out")).ToDictionary(d => d.Id, d => d.Text);
        Assert.Equal(docs.Count, output.Count);
        foreach (var (id, _) in docs) Assert.Equal(expected[id].Text, output[id]);

        // The planted spans survive once: the first planted copy keeps them, the 5 + 3 later copies lose them.
        Assert.Equal(1, output.Values.Sum(t => Occurrences(t, enSpan)));
        Assert.Equal(1, output.Values.Sum(t => Occurrences(t, zhSpan)));
        Assert.Contains(enSpan, output["en03"]);
        Assert.Contains(zhSpan, output["zh01"]);
        var changed = expected.Where(e => e.Value.Removed > 0).Select(e => e.Key).Order().ToArray();
        var filter = TaskStats.Load(session.Run.StageStatsFile("dedup"));
        Assert.Equal(changed.Length, filter.Counter("sentence_dedup.docs_with_cuts"));
        Assert.Equal(expected.Values.Sum(e => e.Removed), filter.Counter("sentence_dedup.sentences_removed"));
        // Every planted copy but the first lost exactly its 3 sentences (unless the sample repeats itself nearby).
        foreach (var id in new[] { "en13", "en23", "en33", "en43", "en53", "zh06", "zh11", "zh16" }) Assert.Contains(id, changed);
        Assert.Equal(docs.Count, filter.Counter("docs_out"));
    }

    [Fact]
    public void More_tasks_and_hash_ranges_remove_the_same_spans()
    {
        var (docs, _, _) = Corpus();
        Write("f1.jsonl", docs.Take(40));
        Write("f2.jsonl", docs.Skip(40));
        var one = Session("tasks: 1\nexact: false\nminhash: false\nsentences: 3\nmin_doc_words: 0\nmin_sentences: 0", "one");
        Execute(one);
        var many = Session("tasks: 2\nexact: false\nminhash: false\nsentences: 3\nbuckets_per_band: 3\nmax_buffered_records: 100\nmin_doc_words: 0\nmin_sentences: 0", "many");
        Execute(many);
        var a = TaskStats.Load(one.Run.StageStatsFile("dedup"));
        var b = TaskStats.Load(many.Run.StageStatsFile("dedup"));
        Assert.Equal(a.Counter("sentence_dedup.sentences_removed"), b.Counter("sentence_dedup.sentences_removed"));
        Assert.True(a.Counter("sentence_dedup.sentences_removed") >= 8 * 3);
        // Each task reads whole files; the first occurrence is the first in task order, then file order.
        var expected = BruteForce(InputOrder(many), 3);
        Assert.All(ReadShards(_tmp.File("many-out")), d => Assert.Equal(expected[d.Id].Text, d.Text));
    }

    [Fact]
    public void Documents_left_too_short_are_dropped_with_a_reason_and_the_rest_kept()
    {
        var (docs, enSpan, _) = Corpus();
        var shortDoc = ("short", "A short note. " + enSpan + " It ends here.");
        Write("f1.jsonl", docs.Take(10).Append(shortDoc));
        var session = Session("tasks: 1\nsentences: 3");
        Execute(session);
        var removed = ReadShards(Path.Combine(_tmp.File("run-out"), "removed"));
        Assert.Equal(["short"], removed.Select(d => d.Id).ToArray());
        Assert.Equal(SentenceFilterJobReason, removed[0]["reason"]);
        Assert.Equal(1L, Convert.ToInt64(removed[0]["spans_cut"]));
        Assert.Equal(10, ReadShards(_tmp.File("run-out")).Count);
        var filter = TaskStats.Load(session.Run.StageStatsFile("dedup"));
        Assert.Equal(1, filter.Counter("dropped.duplicate_sentences"));
    }

    private const string SentenceFilterJobReason = "duplicate_sentences";

    [Fact]
    public void After_document_dedup_the_sentence_stages_read_the_document_filter()
    {
        var (docs, enSpan, _) = Corpus();
        var copy = ("en03_copy", docs.Single(d => d.Id == "en03").Text);
        Write("f1.jsonl", docs.Take(20).Append(copy));
        var session = Session("tasks: 1\nsentences: 3\nmin_doc_words: 0\nmin_sentences: 0");
        Execute(session);
        Assert.Equal(["dedup.signatures", "dedup.buckets", "dedup.clusters", "dedup.documents", "dedup.sentences", "dedup.spans", "dedup"],
            session.Pipeline.Stages.Select(s => s.Name).ToArray());
        var output = ReadShards(_tmp.File("run-out")).ToDictionary(d => d.Id, d => d.Text);
        Assert.DoesNotContain("en03_copy", output.Keys);   // the exact copy went at the document level
        Assert.Equal(20, output.Count);
        Assert.Equal(BruteForce(docs.Take(20), 3).ToDictionary(e => e.Key, e => e.Value.Text), output);
        Assert.Equal(1, output.Values.Sum(t => Occurrences(t, enSpan)));
    }

    [Fact]
    public void Killed_filter_reruns_to_the_same_output_as_an_uninterrupted_run()
    {
        var (docs, _, _) = Corpus();
        Write("f1.jsonl", docs.Take(40));
        Write("f2.jsonl", docs.Skip(40));
        const string keys = "tasks: 2\nsentences: 3\nminhash: false\nexact: false";
        Execute(Session(keys, "ref"));
        var expected = ReadShards(_tmp.File("ref-out")).Select(d => (d.Id, d.Text)).ToList();

        var session = Session(keys);
        using var stop = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Execute(session, new StopAt("dedup", 1, stop), stop.Token));
        Assert.True(session.Run.IsDone("dedup", 0));
        Assert.False(session.Run.IsDone("dedup", 1));
        var filterOut = session.Planner().Manifest("dedup").Tasks[1].Outputs[0];
        File.WriteAllText(filterOut + ".424242.tmp", "half a parquet file");
        File.Delete(session.Run.DoneMarker("dedup.spans", 0));
        File.Delete(session.Run.DoneMarker("dedup", 0));

        Execute(Session(keys));
        Assert.Equal(expected, ReadShards(_tmp.File("run-out")).Select(d => (d.Id, d.Text)).ToList());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(filterOut)!, "*.tmp"));
    }

    [Fact]
    public void A_changed_input_fails_the_filter_naming_the_document()
    {
        var (docs, _, _) = Corpus();
        Write("f1.jsonl", docs.Take(20));
        const string keys = "tasks: 1\nsentences: 3\nminhash: false\nexact: false";
        var session = Session(keys);
        Execute(session);
        Write("f1.jsonl", docs.Skip(1).Take(20));
        File.Delete(session.Run.DoneMarker("dedup", 0));
        var e = Assert.ThrowsAny<Exception>(() => Execute(Session(keys)));
        Assert.Contains("'en01', not the document the sentence signatures stage read", e.ToString());
    }

    /// <summary>The documents in the order the sentence stages number them: task by task, each task's files in order.</summary>
    private static List<(string Id, string Text)> InputOrder(RunSession session) =>
        session.Planner().Manifest("dedup.sentences").Tasks.SelectMany(t => t.Inputs)
            .SelectMany(f => File.ReadAllLines(f).Select(l => JsonDocument.Parse(l).RootElement)
                .Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("text").GetString()!)))
            .ToList();

    private sealed class StopAt(string stage, int task, CancellationTokenSource stop) : IExecutionObserver
    {
        public void TaskStarted(TaskContext context)
        {
            if (context.Stage.Name == stage && context.Index == task) stop.Cancel();
        }
    }
}
