using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>The real `dataflow pii` executable: pseudonyms agree across tasks (separate inputs, one key), and a missing key is named.</summary>
public sealed class PiiCommandTests
{
    private const string Email = "wang.fang1987@example.cn";
    private const string Phone = "13912345678";

    private static void WriteInputs(TempDir dir)
    {
        for (int f = 0; f < 2; f++)
        {
            File.WriteAllLines(dir.File($"in-{f}.jsonl"), Enumerable.Range(0, 5).Select(i => JsonSerializer.Serialize(new
            {
                id = $"f{f}-{i}",
                text = f == 0 ? $"请联系{Email}或拨打{Phone}。第{i}条。" : $"Write to {Email} or call {Phone}, note {i}.",
            })));
        }
    }

    [Fact]
    public void PseudonymsAgreeAcrossTasksAndNothingRawIsPrinted()
    {
        using var dir = new TempDir();
        WriteInputs(dir);
        var variable = "DATAFLOW_PII_CLI_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "cli-test-key-0123456789abcdef");
        File.WriteAllText(dir.File("pii.yaml"), $"policy: pseudonym\npseudonym_key_env: {variable}\n");

        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "pii", "-i", "in-*.jsonl", "-o", "out", "--config", "pii.yaml", "--tasks", "2");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(Email, stdout + stderr);
        Assert.DoesNotContain(Phone, stdout + stderr);

        var shards = Directory.GetFiles(dir.File("out"), "part-*.parquet");
        Assert.Equal(2, shards.Length);
        var texts = shards.SelectMany(s => ParquetDocumentReader.Read(s, ReadOptions.Default, new CollectingRejects())).Select(d => d.Text).ToList();
        Assert.Equal(10, texts.Count);
        var scanner = new PiiScanner();
        var fakes = texts.SelectMany(t => scanner.Scan(t).Select(m => (m.Type, Value: t.Substring(m.Start, m.Length)))).ToList();
        Assert.DoesNotContain(fakes, f => f.Value is Email or Phone);
        // Every document of both tasks got the same fake email and the same fake phone, of the same shape.
        Assert.Single(fakes.Where(f => f.Type == PiiType.Email).Select(f => f.Value).Distinct());
        var phone = Assert.Single(fakes.Where(f => f.Type == PiiType.Phone).Select(f => f.Value).Distinct());
        Assert.Matches("^13[0-9]{9}$", phone);

        var stats = File.ReadAllText(dir.File("out/_dataflow/stages/pii/stats.json"));
        Assert.Contains("\"pii.email\": 10", stats);
        Assert.Contains("\"pii.phone\": 10", stats);
        // Masking rewrote all 10 kept documents, and says so.
        Assert.Contains("\"docs_rewritten\": 10", stats);
        Assert.Contains("\"rewritten.pii_masked\": 10", stats);
    }

    [Fact]
    public void MissingKeyFailsNamingTheVariable()
    {
        using var dir = new TempDir();
        WriteInputs(dir);
        File.WriteAllText(dir.File("pii.yaml"), "policy: pseudonym\npseudonym_key_env: DATAFLOW_PII_TEST_UNSET_VARIABLE\n");
        var (code, stdout, stderr) = CliProcess.Run(dir.Path, "pii", "-i", "in-*.jsonl", "-o", "out", "--config", "pii.yaml");
        Assert.NotEqual(0, code);
        Assert.Contains("DATAFLOW_PII_TEST_UNSET_VARIABLE", stdout + stderr);
    }
}
