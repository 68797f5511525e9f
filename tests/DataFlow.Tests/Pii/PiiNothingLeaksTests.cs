using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>
/// Runs the pii stage on documents full of planted values (in text, in metadata, in a broken record, in documents that
/// get dropped into removed/) and searches every file the run wrote, decoded (JSON unescaped, Parquet read back),
/// for every planted value. Only the kept shards of a keep policy may hold them, and the test checks that they do.
/// </summary>
[Collection("console")]
public sealed class PiiNothingLeaksTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dataflow-pii-leak-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _planted = [];

    public PiiNothingLeaksTests()
    {
        Directory.CreateDirectory(_dir);
        var gen = new PlantedPii(7);
        var lines = new List<string>();
        for (int d = 0; d < 40; d++)
        {
            var values = PiiTypes.All.Select(gen.Next).ToList();
            _planted.AddRange(values.Select(v => v.Value));
            var metaValue = gen.Next(PiiType.Email);
            _planted.Add(metaValue.Value);
            var text = PlantedPii.Sentence(values, chinese: d % 2 == 1);
            // Every 4th document carries three cards, above the drop threshold of the card policy below.
            if (d % 4 == 0)
            {
                var cards = Enumerable.Range(0, 3).Select(_ => gen.Next(PiiType.PaymentCard)).ToList();
                _planted.AddRange(cards.Select(c => c.Value));
                text += " " + string.Join(" ", cards.Select(c => c.Value));
            }
            lines.Add(JsonSerializer.Serialize(new { id = $"doc-{d}", text, contact = metaValue.Value }));
        }
        var broken = gen.Next(PiiType.Phone);
        var brokenMail = gen.Next(PiiType.Email);
        _planted.Add(broken.Value);
        _planted.Add(brokenMail.Value);
        lines.Add($"{{\"id\": \"bad\", \"text\": \"call {broken.Value} or {brokenMail.Value}");
        File.WriteAllLines(Path.Combine(_dir, "input.jsonl"), lines);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("tag")]
    [InlineData("pseudonym")]
    [InlineData("keep")]
    public void NoPlantedValueInAnyFileTheRunWrote(string policy)
    {
        var keyVariable = "DATAFLOW_PII_TEST_KEY_" + policy.ToUpperInvariant();
        var key = "leak-test-key-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(keyVariable, key);
        _planted.Add(key);
        var config = Path.Combine(_dir, policy + ".yaml");
        File.WriteAllText(config, $"""
            policy: {policy}
            policies:
              payment_card: drop
            drop_above: 2
            pseudonym_key_env: {keyVariable}
            """);
        var output = Path.Combine(_dir, "out-" + policy);
        var run = CliProcess.Run(_dir, new Dictionary<string, string> { [keyVariable] = key },
            "pii", "--input", Path.Combine(_dir, "input.jsonl"), "--output", output, "--config", config,
            "--keep-removed", "--tasks", "1", "--workers", "1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        var console = run.Stdout + run.Stderr;

        var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.Contains("rejects"));
        Assert.Contains(files, f => f.Contains("removed"));
        var keptShards = files.Where(f => Path.GetDirectoryName(f) == output && f.EndsWith(".parquet")).ToList();
        Assert.NotEmpty(keptShards);

        var leaks = new List<string>();
        foreach (var file in files.Append("<console>"))
        {
            var content = file == "<console>" ? console : WrittenText.Decoded(file);
            bool mayHold = policy == "keep" && keptShards.Contains(file);
            if (mayHold) continue;
            foreach (var value in _planted)
                if (content.Contains(value, StringComparison.Ordinal)) leaks.Add($"{Path.GetRelativePath(output, file)}: {PiiMask.ForDisplay(value)}");
        }
        Assert.Empty(leaks);

        // The search can fail: kept shards of the keep policy do hold the raw values (cards aside, whose documents were dropped).
        var kept = string.Concat(keptShards.Select(WrittenText.Decoded));
        if (policy == "keep")
            Assert.True(_planted.Count(v => kept.Contains(v, StringComparison.Ordinal)) > _planted.Count / 2);
        else
            Assert.Contains(PiiTypes.Tag(PiiType.Email), kept + string.Concat(files.Where(f => f.Contains("removed")).Select(WrittenText.Decoded)));
    }
}
