using DataFlow.Engine.Tokens;

namespace DataFlow.Tests.Tokenize;

public sealed class TokenShardDatasetTests
{
    [Fact]
    public void ReadsEveryRowBackAcrossShardsAndRowGroups()
    {
        using var dir = new TempDir();
        var manifest = TokenDatasetFixture.Write(dir.Path, seqLen: 16, trainRows: [37, 0, 64], validationRows: 5, rowGroupRows: 10);

        using var train = TokenShardDataset.Open(dir.Path, TokenSplit.Train);
        Assert.Equal(101, train.RowCount);
        Assert.Equal(101 * 17, train.TokenCount);
        Assert.Equal(manifest.TokensOf(TokenSplit.Train), train.TokenCount);

        var row = new int[17];
        // Walk backwards so the cache is exercised out of order.
        for (long r = train.RowCount - 1; r >= 0; r--)
        {
            var (shard, inShard) = r < 37 ? (0, r) : (2, r - 37);
            train.ReadRow(r, row);
            for (var c = 0; c < row.Length; c++) Assert.Equal(TokenDatasetFixture.TokenAt(shard, inShard, c), row[c]);
        }

        using var validation = TokenShardDataset.Open(dir.Path, TokenSplit.Validation);
        Assert.Equal(5, validation.RowCount);
        validation.ReadRow(4, row);
        Assert.Equal(TokenDatasetFixture.TokenAt(3, 4, 16), row[16]);
    }

    [Fact]
    public void TinyCacheStillReturnsTheRightRows()
    {
        using var dir = new TempDir();
        TokenDatasetFixture.Write(dir.Path, seqLen: 8, trainRows: [50, 50], validationRows: 0, rowGroupRows: 4);
        using var train = TokenShardDataset.Open(dir.Path, TokenSplit.Train, cacheBytes: 1);
        var rows = new long[] { 99, 0, 51, 3, 98, 50 };
        var batch = new int[rows.Length * 9];
        train.ReadRows(rows, batch);
        for (var i = 0; i < rows.Length; i++)
        {
            var (shard, inShard) = rows[i] < 50 ? (0, rows[i]) : (1, rows[i] - 50);
            Assert.Equal(TokenDatasetFixture.TokenAt(shard, inShard, 5), batch[i * 9 + 5]);
        }
    }

    [Fact]
    public void WriterRejectsRowsOfTheWrongLength()
    {
        using var dir = new TempDir();
        using var writer = new TokenShardWriter(Path.Combine(dir.Path, "x.parquet"), seqLen: 4);
        Assert.Throws<ArgumentException>(() => writer.WriteRow(new int[4]));
        writer.WriteRow(new int[5]);
        Assert.Equal(5, writer.Complete("x.parquet", TokenSplit.Train).Tokens);
    }

    [Fact]
    public void ManifestRowCountsThatDisagreeWithTheFileAreReported()
    {
        using var dir = new TempDir();
        var manifest = TokenDatasetFixture.Write(dir.Path, seqLen: 4, trainRows: [10], validationRows: 0, rowGroupRows: 3);
        (manifest with { Shards = [manifest.Shards[0] with { Rows = 11 }] }).Save(dir.Path);
        using var train = TokenShardDataset.Open(dir.Path, TokenSplit.Train);
        var error = Assert.Throws<InvalidDataException>(() => train.ReadRow(0, new int[5]));
        Assert.Contains("manifest says 11", error.Message);
    }

    [Fact]
    public void ManifestRoundTripsThroughJson()
    {
        using var dir = new TempDir();
        var manifest = TokenDatasetFixture.Write(dir.Path, seqLen: 4, trainRows: [3], validationRows: 2, rowGroupRows: 3);
        var loaded = TokenDatasetManifest.Load(dir.Path);
        Assert.Equal(manifest.SeqLen, loaded.SeqLen);
        Assert.Equal(manifest.Shards, loaded.Shards);
        Assert.Equal(manifest.SourceTokens, loaded.SourceTokens);
        Assert.Contains("\"seq_len\": 4", File.ReadAllText(TokenDatasetManifest.PathIn(dir.Path)));
    }
}
