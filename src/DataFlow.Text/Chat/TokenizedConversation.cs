namespace DataFlow.Text.Chat;

/// <summary>
/// Token ids of a rendered conversation and, per token, whether the model is trained to predict it.
/// Shifted for next-token training, input i predicts token i + 1, so its loss weight is <c>LossMask[i + 1]</c>.
/// </summary>
public sealed record TokenizedConversation(int[] Ids, bool[] LossMask)
{
    public int Length => Ids.Length;
    public int TrainableTokens => LossMask.Count(m => m);

    public static TokenizedConversation Encode(IReadOnlyList<TemplateSegment> segments, IChatTokenizer tokenizer)
    {
        var ids = new List<int>();
        var mask = new List<bool>();
        foreach (var segment in segments)
        {
            var before = ids.Count;
            if (segment.IsSpecial) ids.Add(tokenizer.SpecialTokenId(segment.Text));
            else tokenizer.Encode(segment.Text, ids);
            for (var i = before; i < ids.Count; i++) mask.Add(segment.Trainable);
        }
        return new TokenizedConversation([.. ids], [.. mask]);
    }
}
