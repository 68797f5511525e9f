using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Tokenized conversations read from JSONL files of any <see cref="ChatFormat"/>. A bad record (broken JSON, missing
/// field, empty assistant turn, a conversation longer than <c>maxTokens</c> (never truncated, so no response is cut
/// away), a conversation with no target token) goes to the reject sink with its file and line: under skip it is logged
/// and left out, under fail the load stops with <see cref="BadInputException"/>.
/// </summary>
public sealed class SftDataset
{
    private SftDataset(List<TokenizedConversation> examples, List<Conversation> conversations)
    {
        Examples = examples;
        Conversations = conversations;
    }

    /// <summary>The reject reason of a conversation with no token under the loss target (e.g. loss_on: last_assistant and an empty last answer).</summary>
    public const string NoTargetReason = "no trainable tokens under the loss target";

    public IReadOnlyList<TokenizedConversation> Examples { get; }
    public IReadOnlyList<Conversation> Conversations { get; }
    public long TrainableTokens => Examples.Sum(e => (long)e.TrainableTokens);

    public static SftDataset Load(IEnumerable<string> paths, ChatFormat format, ChatTemplate template, IChatTokenizer tokenizer,
        int maxTokens, IRejectSink rejects)
    {
        var examples = new List<TokenizedConversation>();
        var conversations = new List<Conversation>();
        foreach (var path in paths)
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                var parsed = ChatRecordParser.Parse(line, format);
                if (parsed.Conversation is null)
                {
                    rejects.Reject(new Reject(path, lineNumber, parsed.Problem!, line));
                    continue;
                }
                var tokens = TokenizedConversation.Encode(template.Render(parsed.Conversation), tokenizer);
                if (tokens.Length > maxTokens)
                {
                    rejects.Reject(new Reject(path, lineNumber, $"conversation of {tokens.Length} tokens exceeds max_tokens {maxTokens}", line));
                    continue;
                }
                if (SftBatch.TargetCount(tokens) == 0) // every target masked: it would add nothing but a 0 / 0 to a batch
                {
                    rejects.Reject(new Reject(path, lineNumber, NoTargetReason, line));
                    continue;
                }
                examples.Add(tokens);
                conversations.Add(parsed.Conversation);
            }
        }
        return new SftDataset(examples, conversations);
    }
}
