using DataFlow.Text.Chat;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// Lays tokenized conversations into rows of exactly <c>max_tokens</c>: padded (one per row) or packed (whole
/// conversations back to back, a conversation that does not fit in the rest of a row starts the next one).
/// Padding is the pad id with mask 0. Callers reject conversations longer than a row before adding them.
/// </summary>
public sealed class SftRowBuilder(SftShardWriter writer, SftShardLayout layout, int padId)
{
    private readonly int[] _tokens = new int[writer.MaxTokens];
    private readonly int[] _mask = new int[writer.MaxTokens];
    private int _used;

    public long PadTokens { get; private set; }

    public void Add(TokenizedConversation conversation)
    {
        var length = conversation.Length;
        if (length > writer.MaxTokens)
            throw new ArgumentException($"a conversation of {length} tokens does not fit a row of {writer.MaxTokens}");
        if (layout == SftShardLayout.Padded || _used + length > writer.MaxTokens) Flush();
        conversation.Ids.CopyTo(_tokens, _used);
        for (var i = 0; i < length; i++) _mask[_used + i] = conversation.LossMask[i] ? 1 : 0;
        _used += length;
        if (layout == SftShardLayout.Padded) Flush();
    }

    /// <summary>Writes the row being filled, if any, padding its tail.</summary>
    public void Flush()
    {
        if (_used == 0) return;
        _tokens.AsSpan(_used).Fill(padId);
        _mask.AsSpan(_used).Clear();
        PadTokens += writer.MaxTokens - _used;
        writer.WriteRow(_tokens, _mask, _used);
        _used = 0;
    }
}
