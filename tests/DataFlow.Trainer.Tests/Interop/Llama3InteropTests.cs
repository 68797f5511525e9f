using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Engine.Documents;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;
using Xunit.Abstractions;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// What the LLaMA 3 tests share, built once: a LLaMA-3-shaped Hugging Face folder (<see cref="HfFixtures.Llama3Folder"/>),
/// two SFT steps from <c>init: hf:PATH</c>, and the result exported to Hugging Face.
/// </summary>
public sealed class Llama3Fixture
{
    private readonly Lazy<(string Final, string Exported, List<string> Log)> _trained;

    public Llama3Fixture()
    {
        Root = TinyModels.TempDir("llama3");
        (HfDir, BaseVocabSize) = HfFixtures.Llama3Folder(Root);
        _trained = new(() =>
        {
            var log = new List<string>();
            var output = Path.Combine(Root, "sft");
            SftJob.Run(new SftConfig
            {
                Train = [Tasks], Output = output, Init = HfModelReference.Prefix + HfDir,
                MaxTokens = 64, MaxSteps = 2, BatchSize = 2, WarmupSteps = 1, EvalEvery = 100, CheckpointEvery = 100, SampleCount = 1, Threads = 1,
            }, log.Add);
            var final = Path.Combine(output, SftTrainer.FinalDir);
            var exported = Path.Combine(Root, "sft-hf");
            HfExport.Run(final, exported);
            return (final, exported, log);
        });
    }

    public string Root { get; }
    public string HfDir { get; }

    /// <summary>Ids of the learned vocabulary: &lt;|begin_of_text|&gt; is this id, &lt;|end_of_text|&gt; the next.</summary>
    public int BaseVocabSize { get; }

    public int EndOfTextId => BaseVocabSize + 1;

    public string Tasks => RlhfFixtures.WriteSyntheticTasks(Root, 20, seed: 5);

    /// <summary>The SFT run's final model folder.</summary>
    public string Final => _trained.Value.Final;

    /// <summary>The final model exported to Hugging Face.</summary>
    public string Exported => _trained.Value.Exported;

    public IReadOnlyList<string> SftLog => _trained.Value.Log;
}

/// <summary>
/// A LLaMA 3 style checkpoint, whose document separator is &lt;|end_of_text|&gt;: imported with that as end-of-text (the chat
/// role &lt;|endoftext|&gt; maps onto it, never added), fine-tuned with rows that end with its id, exported with it as
/// eos, rendered alike by the Hugging Face JavaScript chat template, and loaded by llama.cpp as GGUF.
/// </summary>
public sealed class Llama3InteropTests(Llama3Fixture fixture, ITestOutputHelper output) : IClassFixture<Llama3Fixture>
{
    private static readonly string[] ChatTokens = [SpecialTokens.Pad, SpecialTokens.System, SpecialTokens.User, SpecialTokens.Assistant, SpecialTokens.End];

    [Fact]
    public void Import_takes_end_of_text_from_the_folder_and_adds_only_the_chat_tokens()
    {
        var imported = Path.Combine(fixture.Root, "imported");
        var config = HfImport.Run(fixture.HfDir, imported);
        Assert.Equal(fixture.BaseVocabSize + HfFixtures.Llama3Specials.Length, config.VocabSize);

        var tokenizer = ModelTokenizer.Load(imported);
        var baseSize = fixture.BaseVocabSize + HfFixtures.Llama3Specials.Length;
        Assert.Equal("<|end_of_text|>", tokenizer.EndOfText);
        Assert.Equal(fixture.EndOfTextId, tokenizer.EndOfTextId);
        Assert.Equal(fixture.EndOfTextId, tokenizer.SpecialTokenId(SpecialTokens.EndOfText)); // the role, on the vocabulary's own token
        Assert.Equal(baseSize, tokenizer.BaseVocabSize);
        Assert.Equal(ChatTokens.Select((t, i) => KeyValuePair.Create(baseSize + i, t)), tokenizer.AddedTokens.OrderBy(t => t.Key));
        Assert.Equal(baseSize + ChatTokens.Length, tokenizer.VocabSize);
        Assert.Equal("<|end_of_text|>", tokenizer.Decode([fixture.EndOfTextId]));

        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(imported, ModelTokenizer.ConfigFile)))!;
        Assert.Equal("<|end_of_text|>", written["eos_token"]!.GetValue<string>());
        Assert.Equal(fixture.EndOfTextId, written["eos_token_id"]!.GetValue<int>());
        var contents = JsonNode.Parse(File.ReadAllText(Path.Combine(imported, ModelTokenizer.TokenizerFile)))!["added_tokens"]!.AsArray()
            .Select(t => t!["content"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(SpecialTokens.EndOfText, contents);
        Assert.Contains("<|reserved_special_token_2|>", contents);

        // The tokenize stage reads the same tokenizer.json by path and finds the separator beside it.
        Assert.Equal(fixture.EndOfTextId, TokenizerFiles.Load(Path.Combine(fixture.HfDir, "tokenizer.json")).EndOfTextId);
    }

    [Fact]
    public void Sft_from_hf_trains_on_rows_that_end_with_end_of_text_and_exports_it_as_eos()
    {
        Assert.Contains(fixture.SftLog, line => line.Contains($"imported {fixture.HfDir}"));
        var tokenizer = ModelTokenizer.Load(fixture.Final);
        Assert.Equal(tokenizer.VocabSize, ModelWeights.LoadConfig(fixture.Final).VocabSize);
        Assert.Equal("<|end_of_text|>", tokenizer.EndOfText);

        // The rows SFT trains on: each conversation ends with <|end_of_text|>'s id, and <|endoftext|> appears nowhere.
        var rejects = new ListRejects();
        var data = SftDataset.Load([fixture.Tasks], ChatFormat.Auto, ChatTemplate.Default, tokenizer, 64, rejects);
        Assert.Empty(rejects.Items);
        Assert.NotEmpty(data.Examples);
        Assert.All(data.Examples, e => Assert.Equal(fixture.EndOfTextId, e.Ids[^1]));
        Assert.All(data.Rows(64, tokenizer.PadId), row => Assert.Equal(fixture.EndOfTextId, row.Tokens[row.Used - 1]));
        Assert.EndsWith("<|end|>\n<|end_of_text|>", tokenizer.Decode(data.Examples[0].Ids));

        var hf = fixture.Exported;
        JsonNode Read(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(hf, file)))!;
        Assert.Equal("<|end_of_text|>", Read(HfTokenizerFiles.ConfigFile)["eos_token"]!.GetValue<string>());
        Assert.Equal("<|end_of_text|>", Read(HfTokenizerFiles.SpecialTokensFile)["eos_token"]!.GetValue<string>());
        Assert.DoesNotContain(SpecialTokens.EndOfText, Read(HfTokenizerFiles.ConfigFile)["additional_special_tokens"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(fixture.EndOfTextId, Read(HfExport.ConfigFile)["eos_token_id"]!.GetValue<int>());
        Assert.Equal(fixture.EndOfTextId, Read(HfExport.GenerationConfigFile)["eos_token_id"]![0]!.GetValue<int>());
        var added = Read(HfTokenizerFiles.TokenizerFile)["added_tokens"]!.AsArray();
        Assert.Equal(added.Count, added.Select(t => t!["id"]!.GetValue<int>()).Distinct().Count());
        Assert.DoesNotContain(SpecialTokens.EndOfText, added.Select(t => t!["content"]!.GetValue<string>()));

        // Imported back, the export is the same tokenizer.
        var back = Path.Combine(fixture.Root, "back");
        HfImport.Run(hf, back);
        var reloaded = ModelTokenizer.Load(back);
        Assert.Equal(tokenizer.ChatTokens, reloaded.ChatTokens);
        Assert.Equal((tokenizer.EndOfText, tokenizer.EndOfTextId, tokenizer.VocabSize), (reloaded.EndOfText, reloaded.EndOfTextId, reloaded.VocabSize));
    }

    [Fact]
    public void Without_a_declared_eos_the_folder_s_config_json_id_is_taken_and_without_either_import_names_what_it_looked_for()
    {
        var root = TinyModels.TempDir("llama3-eos");
        var (hf, baseVocab) = HfFixtures.Llama3Folder(root);
        var tokenizerConfig = Path.Combine(hf, "tokenizer_config.json");
        var config = JsonNode.Parse(File.ReadAllText(tokenizerConfig))!.AsObject();
        config.Remove("eos_token");
        File.WriteAllText(tokenizerConfig, config.ToJsonString());
        Assert.Equal(baseVocab + 1, ChatTokenizer.Load(Path.Combine(hf, "tokenizer.json")).EndOfTextId); // config.json's eos_token_id

        config["eos_token"] = new JsonObject { ["content"] = "<|eot_id|>" }; // the AddedToken form, as LLaMA 3 Instruct declares its eos
        File.WriteAllText(tokenizerConfig, config.ToJsonString());
        Assert.Equal("<|eot_id|>", ChatTokenizer.Load(Path.Combine(hf, "tokenizer.json")).EndOfText);

        config["eos_token"] = "</s>";
        File.WriteAllText(tokenizerConfig, config.ToJsonString());
        var error = Assert.Throws<NotSupportedException>(() => HfImport.Run(hf, Path.Combine(root, "out")));
        Assert.Contains(tokenizerConfig, error.Message);
        Assert.Contains("'</s>'", error.Message);

        config.Remove("eos_token");
        File.WriteAllText(tokenizerConfig, config.ToJsonString());
        var configJson = Path.Combine(hf, "config.json");
        var model = JsonNode.Parse(File.ReadAllText(configJson))!.AsObject();
        model.Remove("eos_token_id");
        File.WriteAllText(configJson, model.ToJsonString());
        error = Assert.Throws<NotSupportedException>(() => HfImport.Run(hf, Path.Combine(root, "out")));
        output.WriteLine(error.Message);
        Assert.Contains(Path.Combine(hf, "tokenizer.json"), error.Message);
        Assert.Contains($"eos_token in {tokenizerConfig}", error.Message);
        Assert.Contains($"eos_token_id in {configJson}", error.Message);
        Assert.Contains(SpecialTokens.EndOfText, error.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "out")));
    }

    public sealed record PeerChat(string Text, int[] Ids);

    [HfJsPeerFact]
    public void Hugging_face_js_renders_the_exported_template_to_what_dataflow_trains_on()
    {
        var tokenizer = ModelTokenizer.Load(fixture.Final);
        Conversation[] conversations =
        [
            Conversation.SingleTurn("What is 2 + 3?", "5"),
            Conversation.SingleTurn("把这句话翻译成英文：你好，世界。", "Hello, world.", system: "You are a careful translator."),
            new([new(ChatRole.User, "Write a loop.\n"), new(ChatRole.Assistant, "for (var i = 0; i < 3; i++) { }\n"),
                 new(ChatRole.User, "  And in Python?"), new(ChatRole.Assistant, " for i in range(3): pass")]),
        ];
        var requests = new List<object>();
        var expected = new List<int[]>();
        foreach (var conversation in conversations)
        {
            requests.Add(new { messages = Messages(conversation), add_generation_prompt = false });
            expected.Add(TokenizedConversation.Encode(ChatTemplate.Default.Render(conversation), tokenizer).Ids.ToArray());
            var (prompt, _) = conversation.SplitLastAnswer();
            requests.Add(new { messages = Messages(prompt), add_generation_prompt = true });
            expected.Add(TokenizedConversation.Encode(ChatTemplate.Default.RenderPrompt(prompt), tokenizer).Ids.ToArray());
        }
        Assert.True(HfJsPeerFactAttribute.Missing.Value is null, $"the JavaScript peer is required (DATAFLOW_REQUIRE_NODE=1) but {HfJsPeerFactAttribute.Missing.Value}");
        var script = Path.Combine(HfFixtures.RepoRoot(), "tests", "reference", "hf_js_peer.mjs");
        var (code, stdout, stderr) = ClientProcess.Run("node", [script, HfJsPeerFactAttribute.Modules, fixture.Exported, "chat"], JsonSerializer.Serialize(requests));
        Assert.True(code == 0, $"{script} chat failed: {stderr}");
        var rendered = JsonSerializer.Deserialize<PeerChat[]>(stdout, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(tokenizer.Decode(expected[i]), rendered[i].Text);
            Assert.Equal(expected[i], rendered[i].Ids);
        }
        Assert.EndsWith("<|end_of_text|>", rendered[0].Text);
        Assert.Equal(fixture.EndOfTextId, rendered[0].Ids[^1]);
    }

    [LlamaCppFact]
    public void Llama_cpp_loads_the_gguf_export_with_end_of_text_as_eos_and_tokenizes_alike()
    {
        var gguf = Path.Combine(fixture.Root, "final.gguf");
        LlamaGgufExport.Export(fixture.Final, gguf, GgmlType.F32);
        var tokenizer = ModelTokenizer.Load(fixture.Final);
        var lines = HfFixtures.MixedLines(400).Where(l => l.Length > 0).ToList();
        var answer = LlamaCpp.Ask(new JsonObject
        {
            ["model"] = gguf,
            ["contextSize"] = 96,
            ["tokenize"] = new JsonArray(lines.Select(l => (JsonNode)l).ToArray()),
        }, fixture.Root);
        var theirs = LlamaCpp.IntRows(answer["tokens"]);
        var mismatches = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            var ours = new List<int>();
            tokenizer.Encode(lines[i], ours);
            if (!ours.SequenceEqual(theirs[i])) mismatches.Add($"line {i} {JsonSerializer.Serialize(lines[i])}: ours [{string.Join(",", ours)}] llama.cpp [{string.Join(",", theirs[i])}]");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {lines.Count} lines differ:\n{string.Join("\n", mismatches.Take(5))}");
        var special = answer["special"]!;
        output.WriteLine($"llama.cpp special ids: {special.ToJsonString()}; {lines.Count} lines tokenized identically");
        Assert.Equal(fixture.EndOfTextId, special["eos"]!.GetValue<int>());
        Assert.Equal(fixture.EndOfTextId, special["bos"]!.GetValue<int>());
        Assert.Equal(tokenizer.SpecialTokenId(SpecialTokens.End), special["eot"]!.GetValue<int>());
    }

    private static object[] Messages(Conversation conversation) =>
        conversation.Messages.Select(m => (object)new { role = m.Role.ToString().ToLowerInvariant(), content = m.Content }).ToArray();

    private sealed class ListRejects : IRejectSink
    {
        public List<Reject> Items { get; } = [];
        public void Reject(Reject reject) => Items.Add(reject);
    }
}
