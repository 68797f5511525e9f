namespace DataFlow.Text.Chat;

/// <summary>
/// Renders conversations with role special tokens: <c>&lt;|user|&gt;\n{text}&lt;|end|&gt;\n&lt;|assistant|&gt;\n{text}&lt;|end|&gt;\n...&lt;|endoftext|&gt;</c>.
/// Role markers and prompts are context; an assistant turn's text and its end token are targets (per <see cref="LossOn"/>),
/// so the model learns both the answer and when to stop.
/// </summary>
public sealed record ChatTemplate
{
    public string SystemToken { get; init; } = "<|system|>";
    public string UserToken { get; init; } = "<|user|>";
    public string AssistantToken { get; init; } = "<|assistant|>";
    public string EndToken { get; init; } = "<|end|>";
    public string EndOfTextToken { get; init; } = "<|endoftext|>";

    /// <summary>Text between a role token and the turn's content.</summary>
    public string RoleSeparator { get; init; } = "\n";

    /// <summary>Text after each turn's end token.</summary>
    public string TurnSeparator { get; init; } = "\n";

    /// <summary>System prompt inserted when a conversation has none (null: none).</summary>
    public string? DefaultSystem { get; init; }

    public LossTarget LossOn { get; init; } = LossTarget.AssistantOnly;

    public static ChatTemplate Default { get; } = new();

    /// <summary>Every special token the template emits; a tokenizer must know each as a single id.</summary>
    public IReadOnlyList<string> SpecialTokens => [SystemToken, UserToken, AssistantToken, EndToken, EndOfTextToken];

    /// <summary>The whole conversation as training text, ending with the end-of-text token.</summary>
    public IReadOnlyList<TemplateSegment> Render(Conversation conversation)
    {
        var segments = new List<TemplateSegment>();
        var messages = WithDefaultSystem(conversation.Messages);
        var lastAssistant = messages.Select((m, i) => (m, i)).LastOrDefault(p => p.m.Role == ChatRole.Assistant).i;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var trainable = LossOn switch
            {
                LossTarget.AllTokens => true,
                LossTarget.AssistantOnly => message.Role == ChatRole.Assistant,
                _ => message.Role == ChatRole.Assistant && i == lastAssistant,
            };
            AddTurn(segments, message, contentTrainable: trainable, markerTrainable: LossOn == LossTarget.AllTokens);
        }
        segments.Add(new TemplateSegment(EndOfTextToken, true, LossOn == LossTarget.AllTokens));
        return segments;
    }

    /// <summary>The prompt turns followed by an open assistant turn: what a policy continues at generation time.</summary>
    public IReadOnlyList<TemplateSegment> RenderPrompt(Conversation prompt)
    {
        var segments = new List<TemplateSegment>();
        foreach (var message in WithDefaultSystem(prompt.Messages)) AddTurn(segments, message, false, false);
        segments.Add(new TemplateSegment(AssistantToken, true, false));
        if (RoleSeparator.Length > 0) segments.Add(new TemplateSegment(RoleSeparator, false, false));
        return segments;
    }

    /// <summary>Plain-text view of segments (special tokens written out), for logs and tests.</summary>
    public static string ToText(IEnumerable<TemplateSegment> segments) => string.Concat(segments.Select(s => s.Text));

    private void AddTurn(List<TemplateSegment> segments, ChatMessage message, bool contentTrainable, bool markerTrainable)
    {
        segments.Add(new TemplateSegment(RoleToken(message.Role), true, markerTrainable));
        if (RoleSeparator.Length > 0) segments.Add(new TemplateSegment(RoleSeparator, false, markerTrainable));
        if (message.Content.Length > 0) segments.Add(new TemplateSegment(message.Content, false, contentTrainable));
        segments.Add(new TemplateSegment(EndToken, true, contentTrainable));
        if (TurnSeparator.Length > 0) segments.Add(new TemplateSegment(TurnSeparator, false, markerTrainable));
    }

    /// <summary>
    /// The messages as rendered: a system message without content is no turn at all (chat clients such as llama.cpp's
    /// send one when the user sets no system prompt); the default system prompt fills in when there is none.
    /// </summary>
    private IReadOnlyList<ChatMessage> WithDefaultSystem(IReadOnlyList<ChatMessage> messages)
    {
        if (messages.Any(m => m.Role == ChatRole.System && m.Content.Length == 0))
            messages = messages.Where(m => m.Role != ChatRole.System || m.Content.Length > 0).ToList();
        return DefaultSystem is null || messages.Any(m => m.Role == ChatRole.System)
            ? messages
            : [new ChatMessage(ChatRole.System, DefaultSystem), .. messages];
    }

    private string RoleToken(ChatRole role) => role switch
    {
        ChatRole.System => SystemToken,
        ChatRole.User => UserToken,
        _ => AssistantToken,
    };
}
