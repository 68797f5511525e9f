using static TorchSharp.torch;

namespace DataFlow.Trainer.Data;

/// <summary>Turns rows of seq_len + 1 tokens into (inputs, targets) tensors: targets are the inputs shifted by one.</summary>
public static class TokenRows
{
    public static (Tensor Inputs, Tensor Targets) ToBatch(int[] tokens, int batchSize, int rowLength)
    {
        if (tokens.Length != batchSize * rowLength)
            throw new ArgumentException($"{tokens.Length} tokens do not make {batchSize} rows of {rowLength}");
        var rows = tensor(tokens, [batchSize, rowLength], ScalarType.Int32).to(ScalarType.Int64);
        var seqLen = rowLength - 1;
        return (rows.narrow(1, 0, seqLen).contiguous(), rows.narrow(1, 1, seqLen).contiguous());
    }

    /// <summary>Throws a clear error naming the row when a token id is outside the model's vocabulary.</summary>
    public static void CheckVocabulary(ReadOnlySpan<int> tokens, int vocabSize, Func<int, string> describeRowOf)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)vocabSize)
                throw new InvalidDataException($"{describeRowOf(i)}: token id {tokens[i]} is outside the model's vocabulary of {vocabSize}; the shards were made by a different tokenizer");
        }
    }
}
