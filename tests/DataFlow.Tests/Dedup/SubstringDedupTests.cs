using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Dedup;
using Xunit.Abstractions;

namespace DataFlow.Tests.Dedup;

/// <summary>
/// substring_dedup end to end on the man-page fixture with planted repeats, compared with a brute-force reference in
/// this file: every window of min_tokens bytes of every document, looked up in a dictionary of all windows seen.
/// </summary>
public sealed class SubstringDedupTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A boilerplate paragraph (planted in 5% of documents) and a licence block of 60 words (planted in 1 of 8).</summary>
    private const string Boilerplate = "\n\nThis page is part of the project documentation mirror. Report errors in this page to the maintainers of the mirror, not to the upstream authors.\n\n";

    private static readonly string Licence = string.Join(' ',
        "Permission is hereby granted free of charge to any person obtaining a copy of this software and associated documentation files to deal in the Software without restriction including without limitation the rights to use copy modify merge publish distribute sublicense and or sell copies of the Software and to permit persons to whom the Software is furnished to do so subject to the following conditions here"
            .Split(' ').Take(60));

    private static List<string> FixtureTexts()
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "langid-manpages.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var texts = new List<string>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) texts.Add(JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!);
        return texts;
    }

    /// <summary>Writes the fixture (with plants) as three JSONL files; returns the planted document ids.</summary>
    private (List<string> Boilerplated, List<string> Licensed) WritePlanted()
    {
        var texts = FixtureTexts();
        Assert.True(texts.Count >= 100);
        var boilerplated = new List<string>();
        var licensed = new List<string>();
        var files = new List<string>[3] { [], [], [] };
        for (var i = 0; i < texts.Count; i++)
        {
            var id = $"d{i:D3}";
            var text = texts[i];
            if (i % 20 == 7)
            {
                var middle = text.IndexOf('\n', text.Length / 2);
                text = middle < 0 ? text + Boilerplate : text[..middle] + Boilerplate + text[(middle + 1)..];
                boilerplated.Add(id);
            }
            if (i % 8 == 3)
            {
                text = text + "\n" + Licence + "\n";
                licensed.Add(id);
            }
            files[i % 3].Add(JsonSerializer.Serialize(new { id, text }));
        }
        for (var f = 0; f < 3; f++) File.WriteAllLines(_tmp.File($"f{f}.jsonl"), files[f]);
        return (boilerplated, licensed);
    }

    private RunSession Session(string keys, string run = "run") =>
        DedupSessions.FromKeys(_tmp, "name: sub\ntasks: 3\n" + keys, run, type: "substring_dedup", workers: 2);

    private static void Execute(RunSession session) => new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);

    private static Dictionary<string, string> ReadShards(string dir) =>
        Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal)
            .SelectMany(f => ParquetDocumentReader.Read(f, ReadOptions.Default, new CollectingRejects())).ToDictionary(d => d.Id, d => d.Text);

    /// <summary>The documents in the order the stage reads them (parts in order, then files, then lines).</summary>
    private static List<(string Id, byte[] Utf8)> InputOrder(RunSession session)
    {
        var manifest = StageManifest.Load(session.Run.ManifestFile("sub.suffixes"));
        return manifest.Tasks.SelectMany(t => t.Inputs).SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (e.GetProperty("id").GetString()!, Encoding.UTF8.GetBytes(e.GetProperty("text").GetString()!))).ToList();
    }

    /// <summary>
    /// The reference: window (d, p) is repeated when its k bytes occur at an earlier window (all_but_first) or at any
    /// other window (all); removed bytes are the union of repeated windows, shrunk to whole characters; a document left
    /// with fewer than max(1, minDoc) bytes is dropped. Returns the kept texts by id and the dropped ids.
    /// </summary>
    private static (Dictionary<string, string> Kept, HashSet<string> Dropped, long BytesRemoved) BruteForce(List<(string Id, byte[] Utf8)> docs, int k, bool all, int minDoc)
    {
        var count = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, utf8) in docs)
            for (var p = 0; p + k <= utf8.Length; p++)
            {
                var key = Encoding.Latin1.GetString(utf8, p, k);
                count[key] = count.GetValueOrDefault(key) + 1;
            }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = new Dictionary<string, string>();
        var dropped = new HashSet<string>();
        long bytesRemoved = 0;
        foreach (var (id, utf8) in docs)
        {
            var covered = new bool[utf8.Length];
            for (var p = 0; p + k <= utf8.Length; p++)
            {
                var key = Encoding.Latin1.GetString(utf8, p, k);
                var repeated = all ? count[key] > 1 : !seen.Add(key);
                if (repeated)
                    for (var q = p; q < p + k; q++) covered[q] = true;
            }
            var keep = new List<byte>();
            var i = 0;
            while (i < utf8.Length)
            {
                if (!covered[i])
                {
                    keep.Add(utf8[i++]);
                    continue;
                }
                var j = i;
                while (j < utf8.Length && covered[j]) j++;
                // Shrink [i, j) to whole characters: skip continuation bytes at its start, give back a split character at its end.
                var s = i;
                while (s < j && (utf8[s] & 0xC0) == 0x80) keep.Add(utf8[s++]);
                var e = j;
                while (e > s && e < utf8.Length && (utf8[e] & 0xC0) == 0x80) e--;
                for (var q = e; q < j; q++) keep.Add(utf8[q]);
                bytesRemoved += e - s;
                i = j;
            }
            if (keep.Count < utf8.Length && keep.Count < Math.Max(1, minDoc)) dropped.Add(id);
            else kept[id] = Encoding.UTF8.GetString(keep.ToArray());
        }
        return (kept, dropped, bytesRemoved);
    }

    private static int Occurrences(IEnumerable<string> texts, string needle) =>
        texts.Sum(t => { var n = 0; for (var i = t.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = t.IndexOf(needle, i + 1, StringComparison.Ordinal)) n++; return n; });

    [Theory]
    [InlineData("all_but_first", 50)]
    [InlineData("all", 50)]
    [InlineData("all_but_first", 200)]
    public void Planted_repeats_are_removed_exactly_as_the_brute_force_reference_removes_them(string remove, int k)
    {
        var (boilerplated, licensed) = WritePlanted();
        var session = Session($"min_tokens: {k}\nremove: {remove}\nmerge_tasks: 2\nmin_doc_tokens: 50");
        Execute(session);
        var docs = InputOrder(session);
        var (expected, dropped, bytesRemoved) = BruteForce(docs, k, remove == "all", 50);
        var kept = ReadShards(_tmp.File("run-out"));
        var removedDocs = ReadShards(Path.Combine(_tmp.File("run-out"), "removed"));
        Assert.Equal(expected.Keys.Order(), kept.Keys.Order());
        foreach (var (id, text) in expected) Assert.True(text == kept[id], $"document {id} differs from the reference");
        Assert.Equal(dropped.Order(), removedDocs.Keys.Order());

        var stats = TaskStats.Load(session.Run.StageStatsFile("sub"));
        Assert.Equal(bytesRemoved, stats.Counter("substring.bytes_removed"));
        Assert.Equal(docs.Count, stats.Counter("docs_in"));
        Assert.Equal(kept.Count, stats.Counter("docs_out"));
        Assert.Equal(dropped.Count, stats.Counter("dropped.substring_too_short"));

        // The plants at least min_tokens long: one copy left (the first) or none. A shorter one is no repeated span by itself.
        var copies = remove == "all" ? 0 : 1;
        var boilerplateBytes = Encoding.UTF8.GetByteCount(Boilerplate.Trim());
        Assert.Equal(boilerplateBytes >= k ? copies : boilerplated.Count, Occurrences(kept.Values, Boilerplate.Trim()));
        Assert.Equal(copies, Occurrences(kept.Values, Licence));
        var inputBytes = docs.Sum(d => (long)d.Utf8.Length);
        var planted = boilerplated.Count * (long)Encoding.UTF8.GetByteCount(Boilerplate.Trim()) + licensed.Count * (long)Licence.Length;
        output.WriteLine($"remove={remove} k={k}: {docs.Count} docs, {inputBytes} bytes; planted boilerplate in {boilerplated.Count}, licence in {licensed.Count} ({planted} bytes); " +
                         $"removed {bytesRemoved} bytes in {stats.Counter("substring.spans")} spans from {stats.Counter("substring.docs_touched")} docs, dropped {dropped.Count}");
    }

    [Fact]
    public void Nothing_but_the_plants_is_removed_from_text_without_other_repeats()
    {
        // Random words (no 50-byte repeat by chance) with the two plants, each between characters unique to its
        // document (two UTF-8 bytes: a window may share one of them, but whole characters only are removed).
        var rng = new Random(11);
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => new string(Enumerable.Range(0, rng.Next(3, 9)).Select(_ => (char)('a' + rng.Next(26))).ToArray())));
        var lines = new List<string>[3] { [], [], [] };
        var originals = new Dictionary<string, string>();
        for (var i = 0; i < 100; i++)
        {
            var (head, tail) = (Words(80) + (char)(0x100 + i), (char)(0x200 + i) + Words(80) + (char)(0x300 + i));
            originals[$"d{i:D3}"] = head + tail;
            var text = head + (i % 20 == 7 ? Boilerplate : "") + tail + (i % 8 == 3 ? "\n" + Licence : "");
            lines[i % 3].Add(JsonSerializer.Serialize(new { id = $"d{i:D3}", text }));
        }
        for (var f = 0; f < 3; f++) File.WriteAllLines(_tmp.File($"f{f}.jsonl"), lines[f]);
        var session = Session("merge_tasks: 3");
        Execute(session);
        var kept = ReadShards(_tmp.File("run-out"));
        var order = InputOrder(session).Select(d => d.Id).ToList();
        var firstBoilerplate = order.First(id => int.Parse(id[1..]) % 20 == 7);
        var firstLicence = order.First(id => int.Parse(id[1..]) % 8 == 3);
        Assert.Equal(100, kept.Count);
        var touched = 0;
        foreach (var (id, text) in kept)
        {
            var n = int.Parse(id[1..]);
            var boilerplateLeft = id == firstBoilerplate;
            var licenceLeft = id == firstLicence;
            if ((n % 20 == 7 && !boilerplateLeft) || (n % 8 == 3 && !licenceLeft)) touched++;
            Assert.Equal(boilerplateLeft ? 1 : 0, Occurrences([text], Boilerplate));
            Assert.Equal(licenceLeft ? 1 : 0, Occurrences([text], Licence));
            // Taking out the plants that remain gives back the original words exactly: nothing else was cut.
            Assert.Equal(originals[id], text.Replace(Boilerplate, "").Replace("\n" + Licence, ""));
        }
        var stats = TaskStats.Load(session.Run.StageStatsFile("sub"));
        Assert.Equal(touched, stats.Counter("substring.docs_touched"));
        var boilerplates = Enumerable.Range(0, 100).Count(i => i % 20 == 7);
        var licences = Enumerable.Range(0, 100).Count(i => i % 8 == 3);
        Assert.Equal((boilerplates - 1) * Encoding.UTF8.GetByteCount(Boilerplate) + (licences - 1) * (Licence.Length + 1), stats.Counter("substring.bytes_removed"));
        Assert.Equal(boilerplates - 1 + licences - 1, stats.Counter("substring.spans"));
        output.WriteLine($"{boilerplates} boilerplates, {licences} licences planted; {touched} docs touched, {stats.Counter("substring.spans")} spans, {stats.Counter("substring.bytes_removed")} bytes removed");
    }

    [Fact]
    public void A_run_folder_from_the_12_byte_suffix_format_is_refused_by_name()
    {
        // Key counts as the previous version wrote them (kind 'substring-keys', 12-bit keys) beside the current kind.
        var old = _tmp.File("keys-old.bin");
        using (var writer = new DataFlow.Engine.Records.RecordFileWriter<long>(old, SubstringLayout.OldKeyCountKind))
        {
            writer.Append(new long[4096]);
            writer.Complete();
        }
        var current = _tmp.File("keys-new.bin");
        using (var writer = new DataFlow.Engine.Records.RecordFileWriter<long>(current, SubstringLayout.KeyCountKind))
        {
            writer.Append(new long[SubstringLayout.Keys]);
            writer.Complete();
        }
        var e = Assert.Throws<InvalidDataException>(() => RepeatedSpanJob.RejectOldFormat(old));
        Assert.Contains(old, e.Message);
        Assert.Contains("older substring_dedup", e.Message);
        Assert.Contains("rerun substring dedup", e.Message);
        RepeatedSpanJob.RejectOldFormat(current);
    }

    [Fact]
    public void A_document_left_too_short_is_dropped_with_a_reason_and_a_rerun_resumes()
    {
        var longText = Licence + " " + Licence[..40];
        File.WriteAllLines(_tmp.File("f0.jsonl"),
        [
            JsonSerializer.Serialize(new { id = "first", text = longText }),
            JsonSerializer.Serialize(new { id = "copy", text = longText + " tail" }),
            JsonSerializer.Serialize(new { id = "short", text = "too short to hold a window" }),
        ]);
        var session = Session("min_doc_tokens: 10");
        Execute(session);
        var kept = ReadShards(_tmp.File("run-out"));
        Assert.Equal(["first", "short"], kept.Keys.Order().ToArray());
        Assert.Equal(longText, kept["first"]);
        var removed = ParquetDocumentReader.Read(Directory.GetFiles(Path.Combine(_tmp.File("run-out"), "removed"))[0], ReadOptions.Default, new CollectingRejects()).Single();
        Assert.Equal("copy", removed.Id);
        Assert.Equal("substring_too_short", removed["reason"]);
        // The report's section: one span removed from one document, one dropped.
        var html = File.ReadAllText(new DataFlow.Report.RunReport(session.Run, session.Pipeline, t => t).Write());
        Assert.Contains(">Repeated spans removed<", html);
        Assert.Contains("<td class=l>sub</td>", html);
        Assert.Contains("<td>1</td><td>1</td><td>1</td></tr>", html);
        // A rerun finds every task done and changes nothing.
        var before = File.GetLastWriteTimeUtc(Path.Combine(_tmp.File("run-out"), "part-00000.parquet"));
        Execute(RunSession.Open(session.Run.Root));
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(_tmp.File("run-out"), "part-00000.parquet")));
    }

    [Fact]
    public void Cli_substring_flag_runs_the_stage_and_min_tokens_alone_is_refused()
    {
        var text = Licence + " and more words that differ";
        File.WriteAllLines(_tmp.File("in.jsonl"), [JsonSerializer.Serialize(new { id = "a", text }), JsonSerializer.Serialize(new { id = "b", text = "x " + text })]);
        var run = CliProcess.Run(_tmp.Path, "dedup", "--input", "in.jsonl", "--output", "out", "--substring", "--min-tokens", "100");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var stats = TaskStats.Load(Path.Combine(_tmp.File("out"), "_dataflow", "stages", "substring_dedup", "stats.json"));
        Assert.Equal(Encoding.UTF8.GetByteCount(text), stats.Counter("substring.bytes_removed"));
        var refused = CliProcess.Run(_tmp.Path, "dedup", "--input", "in.jsonl", "--output", "out2", "--min-tokens", "100");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--min-tokens needs --substring", refused.Stderr + refused.Stdout);
    }

    [Theory]
    [InlineData("remove: some", "remove")]
    [InlineData("min_tokens: 1", "min_tokens")]
    [InlineData("merge_tasks: -1", "merge_tasks")]
    public void Bad_keys_name_the_key(string keys, string key)
    {
        File.WriteAllText(_tmp.File("f0.jsonl"), "");
        var e = Assert.ThrowsAny<ConfigException>(() => Session(keys));
        Assert.Contains(key, e.Message);
        Assert.Contains("run.yaml", e.Message);
    }
}
