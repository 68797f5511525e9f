using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// Our exported tokenizer.json + tokenizer_config.json loaded by the JavaScript Hugging Face tokenizers
/// (@huggingface/tokenizers, @huggingface/jinja; tests/reference/hf_js_peer.mjs): the same ids on mixed English / Chinese /
/// code text, and the chat_template rendering the prompt DataFlow builds, token for token.
/// </summary>
public class HfJsTokenizerPeerTests
{
    private static readonly string Script = Path.Combine(HfFixtures.RepoRoot(), "tests", "reference", "hf_js_peer.mjs");

    internal static T Peer<T>(string hfDir, string mode, object input)
    {
        Assert.True(HfJsPeerFactAttribute.Missing.Value is null, $"the JavaScript peer is required (DATAFLOW_REQUIRE_NODE=1) but {HfJsPeerFactAttribute.Missing.Value}");
        var (code, stdout, stderr) = ClientProcess.Run("node", [Script, HfJsPeerFactAttribute.Modules, hfDir, mode], JsonSerializer.Serialize(input));
        Assert.True(code == 0, $"{Script} {mode} failed: {stderr}");
        return JsonSerializer.Deserialize<T>(stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    /// <summary>An exported folder whose tokenizer is the file at <paramref name="tokenizerPath"/> with every chat token in the model's vocabulary.</summary>
    internal static (string HfDir, ChatTokenizer Tokenizer) Exported(string name, string tokenizerPath)
    {
        var tokenizer = ChatTokenizer.Load(tokenizerPath);
        var (folder, _) = HfFixtures.ModelFolder(name, TinyModels.Config() with { Dim = 16, Heads = 2, Layers = 1 }, tokenizerPath);
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        return (hf, tokenizer);
    }

    private static void AssertSameIds(string name, string tokenizerPath)
    {
        var (hf, tokenizer) = Exported(name, tokenizerPath);
        // Special-token strings inside text are plain text to our trainer (EncodeOrdinary) but special to HF's encode; the
        // chat tests below cover them where they belong, in the rendered template.
        var lines = HfFixtures.MixedLines(4000).Where(l => !l.Contains("<|", StringComparison.Ordinal)).ToList();
        var theirs = Peer<int[][]>(hf, "encode", lines);
        var mismatches = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var ours = new List<int>();
            tokenizer.Encode(lines[i], ours);
            if (!ours.SequenceEqual(theirs[i])) mismatches.Add($"line {i} {JsonSerializer.Serialize(lines[i])}: ours [{string.Join(",", ours)}] HF [{string.Join(",", theirs[i])}]");
        }
        Assert.True(mismatches.Count == 0, $"{name}: {mismatches.Count} of {lines.Count} lines differ; first: {string.Join("\n", mismatches.Take(5))}");
        Assert.True(lines.Count >= 3000, $"only {lines.Count} lines of text");
        Console.WriteLine($"{name}: {lines.Count} lines, {lines.Sum(l => l.Length)} characters, ids identical to @huggingface/tokenizers");
    }

    [HfJsPeerFact]
    public void Gpt2_tokenizer_json_gives_the_same_ids_in_hugging_face_js()
    {
        var root = TinyModels.TempDir("hf-js-gpt2");
        AssertSameIds("gpt2", HfFixtures.Gpt2Tokenizer(root));
    }

    [HfJsPeerFact]
    public void Tokenizer_trained_here_gives_the_same_ids_in_hugging_face_js()
    {
        var root = TinyModels.TempDir("hf-js-trained");
        AssertSameIds("trained", HfFixtures.TrainedTokenizer(root));
    }

    public sealed record PeerChat(string Text, int[] Ids);

    [HfJsPeerFact]
    public void Chat_template_renders_the_prompts_dataflow_trains_on()
    {
        var root = TinyModels.TempDir("hf-js-chat");
        foreach (var tokenizerPath in new[] { HfFixtures.Gpt2Tokenizer(root), HfFixtures.TrainedTokenizer(root) })
        {
            var (hf, tokenizer) = Exported("hf-js-chat", tokenizerPath);
            Conversation[] conversations =
            [
                Conversation.SingleTurn("What is 2 + 3?", "5"),
                Conversation.SingleTurn("把这句话翻译成英文：你好，世界。", "Hello, world.", system: "You are a careful translator."),
                new([new(ChatRole.User, "Write a loop.\n"), new(ChatRole.Assistant, "for (var i = 0; i < 3; i++) { }\n"),
                     new(ChatRole.User, "  And in Python?"), new(ChatRole.Assistant, " for i in range(3): pass")]),
                // What chat clients send without a system prompt (llama.cpp's): an empty system message is no turn.
                new([new(ChatRole.System, ""), new(ChatRole.User, "What is 9 - 2?"), new(ChatRole.Assistant, "7")]),
            ];
            var template = ChatTemplate.Default;
            var requests = new List<object>();
            var expected = new List<IReadOnlyList<TemplateSegment>>();
            foreach (var conversation in conversations)
            {
                // The whole conversation as SFT trains on it, and its prompt as generation starts from it.
                requests.Add(new { messages = Messages(conversation), add_generation_prompt = false });
                expected.Add(template.Render(conversation));
                var (prompt, _) = conversation.SplitLastAnswer();
                requests.Add(new { messages = Messages(prompt), add_generation_prompt = true });
                expected.Add(template.RenderPrompt(prompt));
            }
            var rendered = Peer<PeerChat[]>(hf, "chat", requests);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(ChatTemplate.ToText(expected[i]), rendered[i].Text);
                Assert.Equal(TokenizedConversation.Encode(expected[i], tokenizer).Ids, rendered[i].Ids);
            }
        }
    }

    private static object[] Messages(Conversation conversation) =>
        conversation.Messages.Select(m => (object)new { role = m.Role.ToString().ToLowerInvariant(), content = m.Content }).ToArray();
}
