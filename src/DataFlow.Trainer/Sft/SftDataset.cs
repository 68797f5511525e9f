using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Tokenized conversations read from JSONL files of any <see cref="ChatFormat"/>. A bad record (broken JSON, missing
/// field, empty assistant turn, a conversation longer than <c>maxTokens</c> (never truncated, so no response is cut
/// away), a conversation with no target token) goes to the reject sink with its file and line: under skip it is logged
/// and left out, under fail the load stops with <see cref="BadInputException"/>.
/// Records are encoded by <see cref="SftRecord"/>, as <c>sft_prepare</c> encodes them.
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

    /// <summary>The examples as rows of <paramref name="maxTokens"/>, one conversation per row (the padded layout of <c>sft_prepare</c>).</summary>
    public List<SftRow> Rows(int maxTokens, int padId)
    {
        var rows = new List<SftRow>(Examples.Count);
        var builder = new SftRowBuilder(maxTokens, SftShardLayout.Padded, padId, rows.Add);
        foreach (var example in Examples) builder.Add(example);
        builder.Flush();
        return rows;
    }

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
                var record = SftRecord.Encode(line, format, template, tokenizer, maxTokens);
                if (record.Tokens is not { } tokens)
                {
                    rejects.Reject(new Reject(path, lineNumber, record.Problem!, line));
                    continue;
                }
                examples.Add(tokens);
                conversations.Add(record.Conversation!);
            }
        }
        return new SftDataset(examples, conversations);
    }
}
