using DataFlow.Engine.Tokens;
using DataFlow.Text.Tokenization;

namespace DataFlow.Bench.Training;

/// <summary>
/// nanoGPT's shakespeare_char preparation in our token-shard format: a character vocabulary, the first 90% of the
/// text for training and the last 10% for validation, cut into consecutive rows of seq_len + 1 characters.
/// </summary>
public static class ShakespeareCharData
{
    public static void Write(string input, string output, int seqLen)
    {
        var text = File.ReadAllText(input);
        Directory.CreateDirectory(output);
        var tokenizer = CharacterTokenizer.Train([text]);
        var tokenizerPath = Path.GetFullPath(Path.Combine(output, "tokenizer.json"));
        File.WriteAllText(tokenizerPath, tokenizer.ToJson());

        var ids = new List<int>(text.Length);
        tokenizer.Encode(text, ids);
        var split = (int)(ids.Count * 0.9);
        var shards = new List<TokenShardInfo>
        {
            WriteShard(output, "train-00000.parquet", TokenSplit.Train, ids.GetRange(0, split), seqLen),
            WriteShard(output, "validation-00000.parquet", TokenSplit.Validation, ids.GetRange(split, ids.Count - split), seqLen),
        };
        new TokenDatasetManifest
        {
            Tokenizer = tokenizerPath,
            VocabSize = tokenizer.VocabSize,
            SeqLen = seqLen,
            EosId = tokenizer.EndOfTextId,
            Shards = shards,
        }.Save(output);
        Console.WriteLine($"{output}: vocab {tokenizer.VocabSize}, {split:N0} train and {ids.Count - split:N0} validation characters; " +
                          string.Join(", ", shards.Select(s => $"{s.File} {s.Rows:N0} rows")));
    }

    private static TokenShardInfo WriteShard(string dir, string file, string split, List<int> ids, int seqLen)
    {
        using var writer = new TokenShardWriter(Path.Combine(dir, file), seqLen);
        var rowLength = seqLen + 1;
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids);
        for (var start = 0; start + rowLength <= span.Length; start += rowLength) writer.WriteRow(span.Slice(start, rowLength));
        return writer.Complete(file, split);
    }
}
