using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// An interactive chat over a model folder (optionally with LoRA adapters): keeps the conversation, renders it with
/// the template, and streams the answer token by token until the end token.
/// </summary>
public sealed class ChatSession(Transformer model, IChatTokenizer tokenizer, GenerationOptions sampling, string? system = null)
{
    private readonly List<ChatMessage> _messages = system is null ? [] : [new ChatMessage(ChatRole.System, system)];
    private readonly ChatTemplate _template = ChatTemplate.Default;

    /// <summary>The model, its adapters (a LoRA folder) and the tokenizer the folder carries.</summary>
    public static (Transformer Model, LoraAdapters? Adapters, ChatTokenizer Tokenizer) Open(string checkpoint)
    {
        // A LoRA folder names its base in base_model.txt; a model folder is loaded as is.
        var baseFile = Path.Combine(checkpoint, "base_model.txt");
        var baseFolder = File.Exists(baseFile) ? File.ReadAllText(baseFile).Trim() : checkpoint;
        var tokenizer = ModelTokenizer.Load(ModelTokenizer.Exists(checkpoint) ? checkpoint : baseFolder);
        var model = ModelWeights.LoadTransformer(baseFolder);
        ModelTokenizer.Check(model.Config, $"model {baseFolder}", tokenizer, $"the tokenizer of {checkpoint}");
        return (model, baseFolder == checkpoint ? null : LoraAdapters.Load(model, checkpoint), tokenizer);
    }

    /// <summary>Answers <paramref name="user"/>, writing each decoded piece to <paramref name="write"/> as it is generated.</summary>
    public string Reply(string user, Action<string> write)
    {
        model.eval();
        _messages.Add(new ChatMessage(ChatRole.User, user));
        var prompt = TokenizedConversation.Encode(_template.RenderPrompt(new Conversation(_messages)), tokenizer).Ids;
        var stops = SftEvaluation.StopIds(tokenizer, _template);
        var pending = new List<int>();
        var result = new TextGenerator(model).Generate([prompt], sampling with { StopTokens = [.. stops] }, onToken: (_, id) =>
        {
            if (stops.Contains(id)) return;
            pending.Add(id);
            var text = tokenizer.Decode(pending);
            if (text.Contains('\uFFFD')) return; // wait for the rest of a multi-byte character
            write(text);
            pending.Clear();
        })[0];
        var answer = tokenizer.Decode(result.Tokens);
        _messages.Add(new ChatMessage(ChatRole.Assistant, answer));
        return answer;
    }
}
