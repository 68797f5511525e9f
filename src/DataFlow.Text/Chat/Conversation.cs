namespace DataFlow.Text.Chat;

/// <summary>An ordered list of turns, as every SFT data format is normalized to before rendering.</summary>
public sealed record Conversation(IReadOnlyList<ChatMessage> Messages)
{
    /// <summary>The conversation without its final assistant turn (the prompt a policy answers) and that turn's text.</summary>
    public (Conversation Prompt, string Answer) SplitLastAnswer()
    {
        if (Messages.Count == 0 || Messages[^1].Role != ChatRole.Assistant)
            throw new InvalidOperationException("conversation does not end with an assistant turn");
        return (new Conversation(Messages.Take(Messages.Count - 1).ToArray()), Messages[^1].Content);
    }

    public static Conversation SingleTurn(string user, string? assistant = null, string? system = null)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(system)) messages.Add(new ChatMessage(ChatRole.System, system));
        messages.Add(new ChatMessage(ChatRole.User, user));
        if (assistant is not null) messages.Add(new ChatMessage(ChatRole.Assistant, assistant));
        return new Conversation(messages);
    }
}
