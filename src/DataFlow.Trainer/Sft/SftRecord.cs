using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// One line of chat JSONL made into training tokens: parsed (any <see cref="ChatFormat"/>), rendered with the template,
/// tokenized with a loss mask. A bad record has no tokens, a <see cref="Problem"/> for the reject sink and a
/// <see cref="DropReason"/> for stats. The one encoder of SFT records: <c>sft_prepare</c> and the trainer's JSONL input.
/// </summary>
public sealed record SftRecord(Conversation? Conversation, TokenizedConversation? Tokens, string? Problem, string? DropReason)
{
    public const string BadRecord = "bad_record";
    public const string TooLong = "too_long";
    public const string NoTargets = "no_targets";

    public static SftRecord Encode(string line, ChatFormat format, ChatTemplate template, IChatTokenizer tokenizer, int maxTokens)
    {
        var parsed = ChatRecordParser.Parse(line, format);
        if (parsed.Conversation is not { } conversation) return new SftRecord(null, null, parsed.Problem!, BadRecord);
        var tokens = TokenizedConversation.Encode(template.Render(conversation), tokenizer);
        if (tokens.Length > maxTokens)
            return new SftRecord(conversation, null, $"conversation of {tokens.Length} tokens is longer than max_tokens {maxTokens}", TooLong);
        if (tokens.TrainableTokens == 0)
            return new SftRecord(conversation, null, "no trainable tokens under the loss target", NoTargets);
        return new SftRecord(conversation, tokens, null, null);
    }
}
