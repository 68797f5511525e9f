using DataFlow.Engine.Tokens;
using DuckDB.NET.Data;

namespace DataFlow.Tests.Tokenize;

/// <summary>The shards must load in other tools: DuckDB reads them as a plain list&lt;int32&gt; column.</summary>
public sealed class TokenShardDuckDbTests
{
    [Fact]
    public void DuckDbReadsRowsTokensAndValuesTheManifestPromises()
    {
        using var dir = new TempDir();
        var manifest = TokenDatasetFixture.Write(dir.Path, seqLen: 32, trainRows: [300, 41], validationRows: 7, rowGroupRows: 64);

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();

        command.CommandText = $"SELECT count(*)::BIGINT, sum(len(tokens))::BIGINT, min(len(tokens))::BIGINT, max(len(tokens))::BIGINT FROM read_parquet('{dir.Path}/train-*.parquet')";
        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal(manifest.RowsOf(TokenSplit.Train), Convert.ToInt64(reader.GetValue(0)));
            Assert.Equal(manifest.TokensOf(TokenSplit.Train), Convert.ToInt64(reader.GetValue(1)));
            Assert.Equal(33, Convert.ToInt64(reader.GetValue(2)));
            Assert.Equal(33, Convert.ToInt64(reader.GetValue(3)));
        }

        foreach (var (shard, row) in new[] { (0, 0L), (0, 299L), (1, 17L), (2, 6L) })
        {
            var file = Path.Combine(dir.Path, manifest.Shards[shard].File);
            command.CommandText = $"SELECT tokens FROM read_parquet('{file}', file_row_number = true) WHERE file_row_number = {row}";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            var tokens = ((System.Collections.IEnumerable)reader.GetValue(0)).Cast<object>().Select(Convert.ToInt32).ToArray();
            var expected = Enumerable.Range(0, 33).Select(c => TokenDatasetFixture.TokenAt(shard, row, c)).ToArray();
            Assert.Equal(expected, tokens);
        }
    }
}
