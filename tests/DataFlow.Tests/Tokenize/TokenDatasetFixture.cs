using DataFlow.Engine.Tokens;

namespace DataFlow.Tests.Tokenize;

/// <summary>Builds a small token dataset whose every token is a known function of (split, shard, row, column).</summary>
internal static class TokenDatasetFixture
{
    public static int TokenAt(int shard, long row, int column) => (int)((shard * 1_000_003L + row * 7919 + column * 31) % 50_000);

    /// <summary>Writes shards with the given row counts (train shards first, then one validation shard) and the manifest.</summary>
    public static TokenDatasetManifest Write(string directory, int seqLen, long[] trainRows, long validationRows, int rowGroupRows)
    {
        var shards = new List<TokenShardInfo>();
        var row = new int[seqLen + 1];
        for (var s = 0; s <= trainRows.Length; s++)
        {
            var split = s < trainRows.Length ? TokenSplit.Train : TokenSplit.Validation;
            var rows = s < trainRows.Length ? trainRows[s] : validationRows;
            var file = $"{split}-{s:D5}.parquet";
            using var writer = new TokenShardWriter(Path.Combine(directory, file), seqLen, rowGroupRows);
            for (long r = 0; r < rows; r++)
            {
                for (var c = 0; c < row.Length; c++) row[c] = TokenAt(s, r, c);
                writer.WriteRow(row);
            }
            shards.Add(writer.Complete(file, split));
        }
        var manifest = new TokenDatasetManifest
        {
            Tokenizer = "test",
            VocabSize = 50_000,
            SeqLen = seqLen,
            EosId = 0,
            Shards = shards,
            SourceTokens = [new TokenSourceCount("fixture", TokenSplit.Train, 3, trainRows.Sum() * (seqLen + 1))],
        };
        manifest.Save(directory);
        return manifest;
    }
}
