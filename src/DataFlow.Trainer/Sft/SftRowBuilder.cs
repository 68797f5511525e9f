using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Lays tokenized conversations into rows of exactly <c>maxTokens</c>: padded (one per row) or packed (whole
/// conversations back to back, a conversation that does not fit in the rest of a row starts the next one).
/// Padding is the pad id with mask 0 and segment 0. The one row builder of SFT: <c>sft_prepare</c> writes its rows to
/// shards, the trainer builds its JSONL input's rows with it. Callers reject conversations longer than a row first.
/// </summary>
public sealed class SftRowBuilder(int maxTokens, SftShardLayout layout, int padId, Action<SftRow> emit)
{
    private int[] _tokens = new int[maxTokens];
    private int[] _mask = new int[maxTokens];
    private int[] _segments = new int[maxTokens];
    private int _used;
    private int _segment;

    public int MaxTokens => maxTokens;
    public long PadTokens { get; private set; }

    public void Add(TokenizedConversation conversation)
    {
        var length = conversation.Length;
        if (length > maxTokens)
            throw new ArgumentException($"a conversation of {length} tokens does not fit a row of {maxTokens}");
        if (layout == SftShardLayout.Padded || _used + length > maxTokens) Flush();
        conversation.Ids.CopyTo(_tokens, _used);
        _segment++;
        for (var i = 0; i < length; i++) (_mask[_used + i], _segments[_used + i]) = (conversation.LossMask[i] ? 1 : 0, _segment);
        _used += length;
        if (layout == SftShardLayout.Padded) Flush();
    }

    /// <summary>Emits the row being filled, if any, padding its tail.</summary>
    public void Flush()
    {
        if (_used == 0) return;
        _tokens.AsSpan(_used).Fill(padId);
        _mask.AsSpan(_used).Clear();
        _segments.AsSpan(_used).Clear();
        PadTokens += maxTokens - _used;
        emit(new SftRow(_tokens, _mask, _segments));
        (_tokens, _mask, _segments) = (new int[maxTokens], new int[maxTokens], new int[maxTokens]); // the row is the receiver's now
        (_used, _segment) = (0, 0);
    }
}
