using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// One SFT training row, as <c>sft_prepare</c> writes it and the trainer reads it: tokens, loss mask (1 = the token is a
/// training target) and segment ids (the row's k-th conversation is k, from 1; padding is 0), all of one length.
/// </summary>
public sealed record SftRow
{
    public SftRow(int[] tokens, int[] lossMask, int[] segments)
    {
        if (lossMask.Length != tokens.Length || segments.Length != tokens.Length)
            throw new ArgumentException($"an SFT row's tokens, loss mask and segment ids differ in length ({tokens.Length}, {lossMask.Length}, {segments.Length})");
        (Tokens, LossMask, Segments) = (tokens, lossMask, segments);
        Used = Array.FindLastIndex(segments, s => s != 0) + 1;
        Conversations = Used == 0 ? 0 : segments.Take(Used).Distinct().Count(s => s != 0);
    }

    public int[] Tokens { get; }
    public int[] LossMask { get; }
    public int[] Segments { get; }

    /// <summary>Tokens before the row's padding.</summary>
    public int Used { get; }

    /// <summary>How many conversations the row holds.</summary>
    public int Conversations { get; }

    /// <summary>One conversation alone in a row of <paramref name="width"/> (at least its length), padded with <paramref name="padId"/>.</summary>
    public static SftRow Of(TokenizedConversation conversation, int padId, int width = 0)
    {
        width = Math.Max(width, conversation.Length);
        var tokens = new int[width];
        var mask = new int[width];
        var segments = new int[width];
        conversation.Ids.CopyTo(tokens, 0);
        tokens.AsSpan(conversation.Length).Fill(padId);
        for (var i = 0; i < conversation.Length; i++) (mask[i], segments[i]) = (conversation.LossMask[i] ? 1 : 0, 1);
        return new SftRow(tokens, mask, segments);
    }
}
