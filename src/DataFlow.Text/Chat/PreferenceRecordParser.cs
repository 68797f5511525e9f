using System.Text.Json;

namespace DataFlow.Text.Chat;

/// <summary>
/// Reads one preference record: <c>{"prompt", "chosen", "rejected"}</c> (single-turn answers), or Anthropic HH
/// <c>{"chosen", "rejected"}</c> where each is a whole dialogue written as <c>\n\nHuman: ...\n\nAssistant: ...</c>.
/// </summary>
public static class PreferenceRecordParser
{
    private const string HumanMarker = "\n\nHuman:";
    private const string AssistantMarker = "\n\nAssistant:";

    public static PreferenceParseResult Parse(string json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { return PreferenceParseResult.Bad($"invalid JSON: {e.Message}"); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return PreferenceParseResult.Bad("record is not a JSON object");
            if (!TryString(root, "chosen", out var chosen)) return PreferenceParseResult.Bad("missing field 'chosen'");
            if (!TryString(root, "rejected", out var rejected)) return PreferenceParseResult.Bad("missing field 'rejected'");
            if (TryString(root, "prompt", out var prompt))
            {
                if (string.IsNullOrWhiteSpace(chosen) || string.IsNullOrWhiteSpace(rejected)) return PreferenceParseResult.Bad("empty chosen or rejected answer");
                return PreferenceParseResult.Ok(new PreferencePair(Conversation.SingleTurn(prompt, chosen), Conversation.SingleTurn(prompt, rejected)));
            }
            var chosenDialogue = ParseDialogue(chosen);
            var rejectedDialogue = ParseDialogue(rejected);
            if (chosenDialogue is null || rejectedDialogue is null)
                return PreferenceParseResult.Bad("dialogue does not follow '\\n\\nHuman: ... \\n\\nAssistant: ...' ending with an assistant turn");
            return PreferenceParseResult.Ok(new PreferencePair(chosenDialogue, rejectedDialogue));
        }
    }

    /// <summary>Splits an HH transcript into turns; null when it has no turns or does not end with the assistant.</summary>
    public static Conversation? ParseDialogue(string transcript)
    {
        var messages = new List<ChatMessage>();
        var position = 0;
        while (position < transcript.Length)
        {
            ChatRole role;
            int markerLength;
            if (string.CompareOrdinal(transcript, position, HumanMarker, 0, HumanMarker.Length) == 0) (role, markerLength) = (ChatRole.User, HumanMarker.Length);
            else if (string.CompareOrdinal(transcript, position, AssistantMarker, 0, AssistantMarker.Length) == 0) (role, markerLength) = (ChatRole.Assistant, AssistantMarker.Length);
            else if (messages.Count == 0) return null;
            else break;
            var start = position + markerLength;
            var next = NextMarker(transcript, start);
            messages.Add(new ChatMessage(role, transcript[start..next].Trim()));
            position = next;
        }
        return messages.Count > 0 && messages[^1].Role == ChatRole.Assistant ? new Conversation(messages) : null;
    }

    private static int NextMarker(string text, int from)
    {
        var human = text.IndexOf(HumanMarker, from, StringComparison.Ordinal);
        var assistant = text.IndexOf(AssistantMarker, from, StringComparison.Ordinal);
        if (human < 0) human = text.Length;
        if (assistant < 0) assistant = text.Length;
        return Math.Min(human, assistant);
    }

    private static bool TryString(JsonElement root, string field, out string value)
    {
        value = root.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString()! : "";
        return root.TryGetProperty(field, out var q) && q.ValueKind == JsonValueKind.String;
    }
}
