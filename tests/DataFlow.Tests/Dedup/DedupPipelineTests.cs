using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Jobs;

namespace DataFlow.Tests.Dedup;

/// <summary>The four dedup stages end to end on a small hand-made corpus whose clusters are known.</summary>
public sealed class DedupPipelineTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly string _a = Words(1, 300);
    private readonly string _b = Words(2, 300);

    public void Dispose() => _tmp.Dispose();

    /// <summary>Letters-only pseudo-words (digits would be stripped by normalization).</summary>
    private static string Words(int seed, int count)
    {
        var rng = new Random(seed);
        return string.Join(' ', Enumerable.Range(0, count).Select(_ =>
            new string(Enumerable.Range(0, rng.Next(3, 9)).Select(_ => (char)('a' + rng.Next(26))).ToArray())));
    }

    private static string ChangeWords(string text, params int[] positions)
    {
        var words = text.Split(' ');
        foreach (var p in positions) words[p] = "changed";
        return string.Join(' ', words);
    }

    /// <summary>
    /// f1: a, b, c, d.  f2: a_copy (a in capitals with punctuation: exact when normalized, near as written), b_near (2 words changed),
    /// b_long (b plus 20 words), d_copy (exact), e.
    /// </summary>
    private void WriteCorpus()
    {
        var docs1 = new (string, string)[] { ("a", _a), ("b", _b), ("c", Words(3, 300)), ("d", Words(4, 120)) };
        var docs2 = new (string, string)[]
        {
            ("a_copy", _a.ToUpperInvariant().Replace(" ", ", ") + "!"),
            ("b_near", ChangeWords(_b, 100, 200)),
            ("b_long", _b + " " + Words(9, 20)),
            ("d_copy", Words(4, 120)),
            ("e", Words(5, 300)),
        };
        Write("f1.jsonl", docs1);
        Write("f2.jsonl", docs2);
    }

    private void Write(string name, IEnumerable<(string Id, string Text)> docs) =>
        File.WriteAllLines(_tmp.File(name), docs.Select(d => JsonSerializer.Serialize(new { id = d.Id, text = d.Text, score = d.Id.Length })));

    private RunSession Session(string extraKeys, string run = "run") => DedupSessions.FromKeys(_tmp, extraKeys, run);

    private static void Execute(RunSession session, string? onlyStage = null, IExecutionObserver? observer = null, CancellationToken cancel = default) =>
        new LocalExecutor(1, observer).Run(session.Run, session.Pipeline, cancel, onlyStage);

    private List<Document> ReadShards(string dir) =>
        Directory.Exists(dir)
            ? Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal)
                .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToList()
            : [];

    [Fact]
    public void Keep_first_removes_later_copies_with_reasons_and_cluster_ids()
    {
        WriteCorpus();
        var session = Session("tasks: 1\nkeep: first");
        Execute(session);
        var outDir = _tmp.File("run-out");
        Assert.Equal(["a", "b", "c", "d", "e"], ReadShards(outDir).Select(d => d.Id).Order().ToArray());
        var removed = ReadShards(Path.Combine(outDir, "removed")).ToDictionary(d => d.Id);
        Assert.Equal(["a_copy", "b_long", "b_near", "d_copy"], removed.Keys.Order().ToArray());
        Assert.Equal("duplicate_near", removed["a_copy"]["reason"]);
        Assert.Equal("duplicate_exact", removed["d_copy"]["reason"]);
        Assert.Equal("duplicate_near", removed["b_near"]["reason"]);
        Assert.Equal("duplicate_near", removed["b_long"]["reason"]);
        Assert.Equal(3, Convert.ToInt32(removed["b_near"]["cluster_size"]));
        Assert.Equal(removed["b_near"]["cluster_id"], removed["b_long"]["cluster_id"]);
        Assert.NotEqual(removed["a_copy"]["cluster_id"], removed["b_near"]["cluster_id"]);
        // Cluster id is the kept document's DocRef: b is document 1 of task 0.
        Assert.Equal(1L, Convert.ToInt64(removed["b_near"]["cluster_id"]));

        var clusters = TaskStats.Load(session.Run.StageStatsFile("dedup.clusters"));
        Assert.Equal(1, clusters.Counter("removed_exact"));
        Assert.Equal(3, clusters.Counter("removed_near"));
        Assert.Equal(3, clusters.Counter("clusters"));
        Assert.Equal(2, clusters.Counter("clusters_of.0002"));
        Assert.Equal(1, clusters.Counter("clusters_of.0003-0004"));
        var filter = TaskStats.Load(session.Run.StageStatsFile("dedup"));
        Assert.Equal(9, filter.Counter("docs_in"));
        Assert.Equal(5, filter.Counter("docs_out"));
    }

    [Fact]
    public void Exact_normalized_treats_case_and_punctuation_changes_as_exact_copies()
    {
        WriteCorpus();
        var session = Session("tasks: 1\nexact: normalized\nminhash: false");
        Execute(session);
        var removed = ReadShards(Path.Combine(_tmp.File("run-out"), "removed")).ToDictionary(d => d.Id);
        Assert.Equal(["a_copy", "d_copy"], removed.Keys.Order().ToArray());
        Assert.All(removed.Values, d => Assert.Equal("duplicate_exact", d["reason"]));
    }

    [Fact]
    public void Unique_documents_and_an_empty_file_pass_through_untouched()
    {
        Write("f1.jsonl", [("x", Words(11, 200)), ("y", Words(12, 200)), ("z", "")]);
        Write("f2.jsonl", []);
        var session = Session("tasks: 2");
        Execute(session);
        Assert.Equal(["x", "y", "z"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
        Assert.Equal(0, TaskStats.Load(session.Run.StageStatsFile("dedup.clusters")).Counter("clusters"));
    }

    [Fact]
    public void Chinese_near_duplicates_are_found_through_character_shingles()
    {
        var rng = new Random(7);
        var text = new string(Enumerable.Range(0, 400).Select(_ => (char)rng.Next(0x4E00, 0x9FA0)).ToArray());
        var near = text[..100] + "改" + text[101..250] + "动" + text[251..];
        var other = new string(Enumerable.Range(0, 400).Select(_ => (char)rng.Next(0x4E00, 0x9FA0)).ToArray());
        Write("f1.jsonl", [("zh", text), ("zh_near", near), ("zh_other", other)]);
        var session = Session("tasks: 1\nexact: false");
        Execute(session);
        Assert.Equal(["zh", "zh_other"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
        Assert.Equal(3, TaskStats.Load(session.Run.StageStatsFile("dedup.signatures")).Counter("docs_char_shingled"));
    }

    [Fact]
    public void Tiny_sort_buffer_spills_many_runs_and_gives_the_same_result()
    {
        WriteCorpus();
        var session = Session("tasks: 1\nmax_buffered_records: 5\nbuckets_per_band: 3");
        Execute(session);
        Assert.True(TaskStats.Load(session.Run.StageStatsFile("dedup.signatures")).Counter("sorted_runs") > 10);
        Assert.Equal(["a", "b", "c", "d", "e"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
    }

    [Fact]
    public void Keep_longest_across_tasks_keeps_the_longest_member()
    {
        WriteCorpus();
        var session = Session("tasks: 2\nkeep: longest");
        Execute(session);
        // Files are dealt largest first, so f2 is task 0 and d_copy precedes d in the tie on length.
        Assert.Equal(["f2.jsonl"], session.Planner().Manifest("dedup.signatures").Tasks[0].Inputs.Select(p => Path.GetFileName(p)!).ToArray());
        Assert.Equal(["a_copy", "b_long", "c", "d_copy", "e"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
    }

    [Fact]
    public void Keep_by_metadata_field_uses_its_value()
    {
        WriteCorpus();
        // score = id length: max keeps "a_copy" over "a", "b_near"/"b_long" (6) over "b", ties go to the earlier one.
        Execute(Session("tasks: 1\nkeep: max:score"));
        Assert.Equal(["a_copy", "b_near", "c", "d_copy", "e"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
    }

    [Fact]
    public void Exact_only_keeps_near_duplicates_and_copies_that_differ_in_case_or_punctuation()
    {
        WriteCorpus();
        Execute(Session("tasks: 1\nminhash: false"));
        Assert.Equal(["a", "a_copy", "b", "b_long", "b_near", "c", "d", "e"], ReadShards(_tmp.File("run-out")).Select(d => d.Id).Order().ToArray());
    }

    [Fact]
    public void Corrupt_signature_file_fails_the_bucket_task_naming_the_file()
    {
        WriteCorpus();
        var session = Session("tasks: 2");
        Execute(session, onlyStage: "dedup.signatures");
        var sigFile = session.Planner().Manifest("dedup.signatures").Tasks[1].Outputs[0];
        var bytes = File.ReadAllBytes(sigFile);
        bytes[RecordFileFormat.HeaderSize + 5] ^= 0x01;
        File.WriteAllBytes(sigFile, bytes);

        var e = Assert.Throws<TaskFailedException>(() => Execute(session));
        Assert.Equal("dedup.buckets", e.Stage);
        Assert.Contains(sigFile, e.Message);
        Assert.False(session.Run.IsDone("dedup.buckets", 0));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(session.Planner().Manifest("dedup.buckets").Tasks[0].Outputs[0])!, "*.tmp"));
    }

    [Fact]
    public void Truncated_doc_info_file_fails_the_clusters_task_naming_the_file()
    {
        WriteCorpus();
        var session = Session("tasks: 2");
        Execute(session, onlyStage: "dedup.signatures");
        Execute(session, onlyStage: "dedup.buckets");
        var infoFile = session.Planner().Manifest("dedup.signatures").Tasks[0].Outputs.Single(o => Path.GetFileName(o).StartsWith("docs-"));
        using (var s = new FileStream(infoFile, FileMode.Open)) s.SetLength(s.Length - 40);
        var e = Assert.Throws<TaskFailedException>(() => Execute(session));
        Assert.Equal("dedup.clusters", e.Stage);
        Assert.Contains(infoFile, e.Message);
    }

    [Fact]
    public void Killed_stage_reruns_to_the_same_output_as_an_uninterrupted_run()
    {
        WriteCorpus();
        var reference = Session("tasks: 2", "ref");
        Execute(reference);
        var expected = ReadShards(_tmp.File("ref-out")).Select(d => d.Id).ToList();

        // Stop the run inside the filter stage's second task (its temporaries are abandoned) ...
        var session = Session("tasks: 2");
        using var stop = new CancellationTokenSource();
        var observer = new StopAt("dedup", 1, stop);
        Assert.ThrowsAny<OperationCanceledException>(() => Execute(session, observer: observer, cancel: stop.Token));
        Assert.True(session.Run.IsDone("dedup", 0));
        Assert.False(session.Run.IsDone("dedup", 1));
        // ... and make it look like a hard kill: a half-written temporary, and a clusters task killed after it
        // renamed its outputs but before it wrote its completion marker.
        var filterOut = session.Planner().Manifest("dedup").Tasks[1].Outputs[0];
        File.WriteAllText(filterOut + ".424242.tmp", "half a parquet file");
        File.Delete(session.Run.DoneMarker("dedup.clusters", 0));
        File.Delete(session.Run.DoneMarker("dedup", 0));

        Execute(Session("tasks: 2"));
        Assert.Equal(expected, ReadShards(_tmp.File("run-out")).Select(d => d.Id).ToList());
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(filterOut)!, "*.tmp"));
    }

    private sealed class StopAt(string stage, int task, CancellationTokenSource stop) : IExecutionObserver
    {
        public void TaskStarted(TaskContext context)
        {
            if (context.Stage.Name == stage && context.Index == task) stop.Cancel();
        }
    }
}
