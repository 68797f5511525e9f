namespace DataFlow.Text.Chat;

/// <summary>A parsed record: a conversation, or the reason the record is bad (exactly one is set).</summary>
public readonly record struct ChatParseResult(Conversation? Conversation, string? Problem)
{
    public static ChatParseResult Ok(Conversation conversation) => new(conversation, null);
    public static ChatParseResult Bad(string problem) => new(null, problem);
}
