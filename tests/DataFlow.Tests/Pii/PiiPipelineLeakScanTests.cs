using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>
/// A whole data pipeline (ingest -> quality -> dedup -> pii -> report) over documents holding planted values of every
/// type and format, with broken records, documents that quality drops, exact duplicates that dedup drops and documents
/// the pii stage drops, every stage keeping its removed documents. Then every file the run wrote is read back (Parquet
/// decoded, JSON unescaped, HTML and logs as text) and searched for every planted value. Allowed to hold them: only the
/// kept shards of the stages before pii (their job is to pass text on); rejects, removed/, stats, logs, manifests, the
/// pii output and the report never.
/// </summary>
[Collection("console")]
public sealed class PiiPipelineLeakScanTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dataflow-pii-pipeline-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _planted = [];

    public PiiPipelineLeakScanTests()
    {
        Directory.CreateDirectory(_dir);
        // Real prose from a Debian package (base-files), cut into paragraphs.
        var paragraphs = File.ReadAllText("/usr/share/common-licenses/GPL-3").Split("\n\n")
            .Select(p => p.ReplaceLineEndings(" ").Trim()).Where(p => p.Length >= 400).ToList();
        var gen = new PlantedPii(23);
        var lines = new List<string>();
        string? previous = null;
        for (int d = 0; d < 36; d++)
        {
            var values = PiiTypes.All.Select(gen.Next).ToList();
            _planted.AddRange(values.Select(v => v.Value));
            string text;
            if (d % 6 == 5) text = "Contact " + PlantedPii.Context(values[0]) + " or " + PlantedPii.Context(values[3]);   // too short: quality drops it
            else if (d % 6 == 2 && previous is not null) text = previous;                                                 // an exact copy: dedup drops it
            else text = paragraphs[d % paragraphs.Count] + " " + PlantedPii.Sentence(values, chinese: false) + " " + paragraphs[(d + 1) % paragraphs.Count];
            if (d % 6 == 4)
            {
                // Three cards: above the pii stage's drop threshold below.
                var cards = Enumerable.Range(0, 3).Select(_ => gen.Next(PiiType.PaymentCard)).ToList();
                _planted.AddRange(cards.Select(c => c.Value));
                text += " Cards " + string.Join(", ", cards.Select(c => c.Value)) + ".";
            }
            previous = text;
            var contact = gen.Next(PiiType.Phone);
            _planted.Add(contact.Value);
            lines.Add(JsonSerializer.Serialize(new { id = $"doc-{d}", text, contact = contact.Value }));
        }
        // Bad records: broken JSON, one whose 200th character falls inside an e-mail address, and one without its text field.
        var phone = gen.Next(PiiType.Phone);
        var mail = gen.Next(PiiType.Email);
        var iban = gen.Next(PiiType.Iban);
        var ssn = gen.Next(PiiType.UsSsn);
        var key = gen.Next(PiiType.GitHubToken);
        _planted.AddRange([phone.Value, mail.Value, iban.Value, ssn.Value, key.Value]);
        lines.Insert(3, $"{{\"id\": \"bad-1\", \"text\": \"call {phone.Value} or {PlantedPii.Context(ssn)}");
        var pad = new string('x', 190 - "{\"id\": \"bad-2\", \"text\": \"".Length);
        lines.Insert(9, $"{{\"id\": \"bad-2\", \"text\": \"{pad} {mail.Value} and token {key.Value}");
        lines.Insert(20, JsonSerializer.Serialize(new { id = "bad-3", body = "pay " + PlantedPii.Context(iban) }));
        File.WriteAllLines(Path.Combine(_dir, "input.jsonl"), lines);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void NoPlantedValueOutsideTheKeptShardsBeforeThePiiStage()
    {
        var run = Path.Combine(_dir, "run");
        File.WriteAllText(Path.Combine(_dir, "pipeline.yaml"), $"""
            run_dir: {run}
            workers: 1
            tasks: 1
            on_error: skip
            stages:
              - type: ingest
                input: {Path.Combine(_dir, "input.jsonl")}
              - type: quality
                normalize: false
                keep_removed: true
                rules:
                  - type: gopher_quality
                    min_doc_words: 50
              - type: dedup
                exact: true
                minhash: false
                keep_removed: true
              - type: pii
                policy: tag
                policies:
                  payment_card: drop
                drop_above: 2
                keep_removed: true
              - type: report
            """);
        var result = CliProcess.Run(_dir, "run", Path.Combine(_dir, "pipeline.yaml"));
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var console = result.Stdout + result.Stderr;

        var files = Directory.GetFiles(run, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(run, f)).ToList();
        var rejects = files.Where(f => f.Contains("rejects")).ToList();
        Assert.NotEmpty(rejects);
        var removed = files.Where(f => f.Contains("removed") && f.EndsWith(".parquet")).ToList();
        Assert.Contains(removed, f => f.Contains("quality"));
        Assert.Contains(removed, f => f.Contains("dedup"));
        Assert.Contains(removed, f => f.Contains("pii"));
        Assert.Contains(files, f => f.EndsWith(".html"));
        var mayHold = files.Where(MayHoldRawValues).ToList();
        Assert.NotEmpty(mayHold);

        var leaks = new List<string>();
        foreach (var file in files.Append("<console>"))
        {
            if (mayHold.Contains(file)) continue;
            var content = file == "<console>" ? console : WrittenText.Decoded(Path.Combine(run, file));
            foreach (var value in _planted)
                if (content.Contains(value, StringComparison.Ordinal)) leaks.Add($"{file}: {PiiMask.ForDisplay(value)}");
        }
        Assert.Empty(leaks);

        // The search can fail: the ingest stage's kept shards hold the raw values of every kept document.
        var ingested = string.Concat(mayHold.Where(f => f.Contains("ingest")).Select(f => WrittenText.Decoded(Path.Combine(run, f))));
        Assert.True(_planted.Count(v => ingested.Contains(v, StringComparison.Ordinal)) > _planted.Count / 2);
        // The rejects say what was wrong, with the values masked, not dropped: the excerpt cut after masking.
        var rejectText = string.Concat(rejects.Select(f => WrittenText.Decoded(Path.Combine(run, f))));
        Assert.Contains("<EMAIL>", rejectText);
        Assert.Contains("<PHONE>", rejectText);
        Assert.Contains("missing text field", rejectText);
    }

    /// <summary>Kept shards of the stages that run before pii: passing text on is their job.</summary>
    private static bool MayHoldRawValues(string relative)
    {
        if (!relative.EndsWith(".parquet") || relative.Contains("removed")) return false;
        var parts = relative.Split(Path.DirectorySeparatorChar);
        return parts.Any(p => p is "ingest" or "quality" or "dedup" || p.StartsWith("dedup_") || p.StartsWith("dedup-"));
    }
}
