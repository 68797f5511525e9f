using System.Text.Json;

namespace DataFlow.Text.Chat;

/// <summary>
/// Turns one JSONL record of any <see cref="ChatFormat"/> into a <see cref="Conversation"/>, or names what is wrong
/// with it (broken JSON, a missing field, an empty assistant turn, an unknown role). Callers attach file and line.
/// </summary>
public static class ChatRecordParser
{
    public static ChatParseResult Parse(string json, ChatFormat format)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { return ChatParseResult.Bad($"invalid JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return ChatParseResult.Bad("record is not a JSON object");
            var resolved = format == ChatFormat.Auto ? Detect(root) : format;
            var result = resolved switch
            {
                ChatFormat.Alpaca => ParseAlpaca(root),
                ChatFormat.Messages => ParseTurns(root, "messages", "role", "content"),
                ChatFormat.ShareGpt => ParseTurns(root, "conversations", "from", "value"),
                ChatFormat.PromptCompletion => ParsePair(root, "prompt", "completion"),
                ChatFormat.Gsm8k => ParsePair(root, "question", "answer"),
                _ => ChatParseResult.Bad("cannot tell the format: expected instruction/output, messages, conversations, prompt/completion or question/answer"),
            };
            return result.Conversation is { } conversation ? Validate(conversation) : result;
        }
    }

    private static ChatFormat Detect(JsonElement root)
    {
        if (root.TryGetProperty("messages", out _)) return ChatFormat.Messages;
        if (root.TryGetProperty("conversations", out _)) return ChatFormat.ShareGpt;
        if (root.TryGetProperty("instruction", out _)) return ChatFormat.Alpaca;
        if (root.TryGetProperty("prompt", out _)) return ChatFormat.PromptCompletion;
        if (root.TryGetProperty("question", out _)) return ChatFormat.Gsm8k;
        return ChatFormat.Auto;
    }

    private static ChatParseResult ParseAlpaca(JsonElement root)
    {
        if (!TryString(root, "instruction", out var instruction, out var problem)) return ChatParseResult.Bad(problem);
        if (!TryString(root, "output", out var output, out problem)) return ChatParseResult.Bad(problem);
        var input = root.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        var user = input.Length == 0 ? instruction : $"{instruction}\n\n{input}";
        var system = root.TryGetProperty("system", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return ChatParseResult.Ok(Conversation.SingleTurn(user, output, system));
    }

    private static ChatParseResult ParsePair(JsonElement root, string promptField, string answerField)
    {
        if (!TryString(root, promptField, out var prompt, out var problem)) return ChatParseResult.Bad(problem);
        if (!TryString(root, answerField, out var answer, out problem)) return ChatParseResult.Bad(problem);
        return ChatParseResult.Ok(Conversation.SingleTurn(prompt, answer));
    }

    private static ChatParseResult ParseTurns(JsonElement root, string listField, string roleField, string contentField)
    {
        if (!root.TryGetProperty(listField, out var list) || list.ValueKind != JsonValueKind.Array)
            return ChatParseResult.Bad($"missing field '{listField}' (an array of turns)");
        var messages = new List<ChatMessage>();
        var index = 0;
        foreach (var turn in list.EnumerateArray())
        {
            if (turn.ValueKind != JsonValueKind.Object) return ChatParseResult.Bad($"{listField}[{index}] is not an object");
            if (!TryString(turn, roleField, out var roleName, out var problem)) return ChatParseResult.Bad($"{listField}[{index}]: {problem}");
            if (!TryString(turn, contentField, out var content, out problem)) return ChatParseResult.Bad($"{listField}[{index}]: {problem}");
            if (RoleOf(roleName) is not { } role) return ChatParseResult.Bad($"{listField}[{index}]: unknown role '{roleName}'");
            messages.Add(new ChatMessage(role, content));
            index++;
        }
        return ChatParseResult.Ok(new Conversation(messages));
    }

    private static ChatRole? RoleOf(string name) => name.ToLowerInvariant() switch
    {
        "system" => ChatRole.System,
        "user" or "human" => ChatRole.User,
        "assistant" or "gpt" or "bot" or "model" => ChatRole.Assistant,
        _ => null,
    };

    /// <summary>Rules every format shares: at least one assistant turn, and no assistant turn is blank.</summary>
    private static ChatParseResult Validate(Conversation conversation)
    {
        var assistantTurns = 0;
        for (var i = 0; i < conversation.Messages.Count; i++)
        {
            var message = conversation.Messages[i];
            if (message.Role != ChatRole.Assistant) continue;
            assistantTurns++;
            if (string.IsNullOrWhiteSpace(message.Content)) return ChatParseResult.Bad($"empty assistant turn (turn {i})");
        }
        return assistantTurns == 0 ? ChatParseResult.Bad("no assistant turn to learn from") : ChatParseResult.Ok(conversation);
    }

    private static bool TryString(JsonElement element, string field, out string value, out string problem)
    {
        value = "";
        problem = "";
        if (!element.TryGetProperty(field, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            problem = $"missing field '{field}'";
            return false;
        }
        if (property.ValueKind != JsonValueKind.String)
        {
            problem = $"field '{field}' is {property.ValueKind}, expected a string";
            return false;
        }
        value = property.GetString()!;
        return true;
    }
}
