using DataFlow.Engine.Documents;
using DuckDB.NET.Data;

namespace DataFlow.Tests.Engine;

/// <summary>Shards written by DataFlow are read back by an independent Parquet reader (DuckDB) with identical rows.</summary>
public class DuckDbRoundTripTests
{
    [Fact]
    public void Ingested_shards_read_back_identically_in_duckdb()
    {
        using var dir = new TempDir();
        var random = new Random(7);
        var expected = new List<(string Id, string Text, string Metadata)>();
        using (var w = new StreamWriter(dir.File("in.jsonl")))
        {
            for (var i = 0; i < 2500; i++)
            {
                var text = i % 3 == 0 ? $"中文 emoji 🙂 line\nbreak \"quoted\" {random.Next()}" : new string('x', random.Next(0, 3000));
                w.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { id = $"d{i}", text, n = i }));
                expected.Add(($"d{i}", text, $"{{\"n\":{i}}}"));
            }
        }
        var result = CliProcess.Run(dir.Path, "ingest", "--input", "in.jsonl", "--output", "out", "--config", WriteConfig(dir));
        Assert.True(result.ExitCode == 0, result.Stderr);

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, text, source, metadata FROM read_parquet('{dir.File("out")}/part-*.parquet') ORDER BY CAST(substr(id, 2) AS INTEGER)";
        using var reader = command.ExecuteReader();
        var actual = new List<(string, string, string)>();
        while (reader.Read())
        {
            Assert.Equal("in.jsonl", reader.GetString(2));
            actual.Add((reader.GetString(0), reader.GetString(1), reader.GetString(3)));
        }
        Assert.Equal(expected, actual);
    }

    private static string WriteConfig(TempDir dir)
    {
        // Small row groups so the file has many of them.
        File.WriteAllText(dir.File("ingest.yaml"), "row_group_rows: 300\n");
        return dir.File("ingest.yaml");
    }
}
