using System.Text;
using System.Text.Json.Nodes;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using Xunit;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests;

public class ModelTokenizerTests
{
    [Fact]
    public void Byte_vocabulary_is_the_documented_layout()
    {
        // The byte vocabulary: <|endoftext|> <|pad|> <|system|> <|user|> <|assistant|> <|end|> as ids 0..5, then byte b as 6 + b.
        var tokenizer = ChatTokenizer.Load("bytes");
        Assert.Equal(262, tokenizer.VocabSize);
        Assert.Empty(tokenizer.AddedTokens);
        string[] order = ["<|endoftext|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"];
        for (var i = 0; i < order.Length; i++) Assert.Equal(i, tokenizer.SpecialTokenId(order[i]));
        var ids = new List<int>();
        tokenizer.Encode("hé<|end|>", ids);
        Assert.Equal(Encoding.UTF8.GetBytes("hé<|end|>").Select(b => 6 + b), ids); // special strings in text stay text
        Assert.Equal("hé", tokenizer.Decode(ids.Take(3)));
    }

    [Fact]
    public void Gpt2_gets_the_chat_tokens_after_its_base_vocabulary()
    {
        var tokenizer = ChatTokenizer.Load("gpt2");
        var ids = new List<int>();
        tokenizer.Encode("Hello world", ids);
        Assert.Equal([15496, 995], ids); // GPT-2's published ids for "Hello" and " world"
        Assert.Equal(50257, tokenizer.BaseVocabSize);
        Assert.Equal(50256, tokenizer.SpecialTokenId("<|endoftext|>")); // GPT-2 has it; not added again
        Assert.Equal(50257, tokenizer.SpecialTokenId("<|pad|>"));
        Assert.Equal(50261, tokenizer.SpecialTokenId("<|end|>"));
        Assert.Equal(50262, tokenizer.VocabSize);
        Assert.Equal("<|user|>\nHello world<|end|>", tokenizer.Decode([50259, 198, 15496, 995, 50261]));
    }

    [Fact]
    public void Model_folder_round_trip_keeps_ids_and_a_changed_tokenizer_is_an_error()
    {
        var folder = TinyModels.TempDir("model-tokenizer");
        var tokenizer = ChatTokenizer.Load("gpt2");
        ModelTokenizer.Save(folder, tokenizer);
        var loaded = ModelTokenizer.Load(folder);
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal(tokenizer.ChatTokens, loaded.ChatTokens);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelTokenizer.ConfigFile)))!;
        Assert.Contains("<|assistant|>", config["chat_template"]!.GetValue<string>());

        config["vocab_size"] = 999;
        File.WriteAllText(Path.Combine(folder, ModelTokenizer.ConfigFile), config.ToJsonString());
        var error = Assert.Throws<InvalidDataException>(() => ModelTokenizer.Load(folder));
        Assert.Contains("999", error.Message);
        Assert.Contains(ModelTokenizer.ConfigFile, error.Message);

        var empty = TinyModels.TempDir("no-tokenizer");
        Assert.Contains(empty, Assert.Throws<InvalidDataException>(() => ModelTokenizer.Load(empty)).Message);
    }

    [Theory]
    [InlineData("bytes", 262, 262, 0)]   // 6 specials + 256 bytes, no merges
    [InlineData("gpt2", 50257, 50262, 5)] // GPT-2's 50,256 tokens + <|endoftext|> (50,257 vocab entries, as in GPT-2's own file), then the 5 chat tokens it lacks
    public void Every_model_folder_holds_a_hugging_face_tokenizer_json_with_the_chat_tokens(string name, int baseIds, int vocabEntries, int added)
    {
        var folder = TinyModels.TempDir("model-tokenizer-json");
        ModelTokenizer.Save(folder, ChatTokenizer.Load(name));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ModelTokenizer.TokenizerFile)))!;
        Assert.Equal("BPE", json["model"]!["type"]!.GetValue<string>());
        // Byte-level tokens and the special tokens, which are added_tokens and in the vocabulary at their ids too (so that
        // Hugging Face tokenizers keeps those ids rather than numbering added tokens from the end of the vocabulary).
        var vocab = json["model"]!["vocab"]!.AsObject();
        Assert.Equal(vocabEntries, vocab.Count);
        var specials = json["added_tokens"]!.AsArray().ToDictionary(t => t!["content"]!.GetValue<string>(), t => t!["id"]!.GetValue<int>());
        foreach (var (token, id) in specials) Assert.Equal(id, vocab[token]!.GetValue<int>());
        foreach (var token in new[] { "<|endoftext|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>" })
            Assert.True(specials.ContainsKey(token), token);
        Assert.Equal(added, specials.Values.Count(id => id >= baseIds));
    }

    [Fact]
    public void A_file_vocabulary_without_chat_tokens_keeps_its_base_size_through_folders()
    {
        // A byte-level vocabulary with only <|endoftext|> (as an imported tokenizer.json may be): the folder's tokenizer.json
        // then lists the added chat tokens, and reading it back must still see 257 base ids, folder after folder.
        var vocabulary = Enumerable.Range(0, 256).ToDictionary(b => DataFlow.Text.Tokenization.ByteLevelAlphabet.CharOf((byte)b).ToString(), b => b);
        var model = new DataFlow.Text.Tokenization.ByteLevelBpeModel(vocabulary, [], new Dictionary<string, int> { ["<|endoftext|>"] = 256 },
            DataFlow.Text.Tokenization.PreTokenizerPatterns.Gpt2);
        var source = Path.Combine(TinyModels.TempDir("plain-vocab"), "tokenizer.json");
        File.WriteAllText(source, DataFlow.Text.Tokenization.HuggingFaceTokenizerJson.Write(model));
        var tokenizer = ChatTokenizer.Load(source);
        Assert.Equal((257, 262), (tokenizer.BaseVocabSize, tokenizer.VocabSize));
        var first = TinyModels.TempDir("plain-vocab-1");
        ModelTokenizer.Save(first, tokenizer);
        var second = TinyModels.TempDir("plain-vocab-2");
        ModelTokenizer.Save(second, ModelTokenizer.Load(first));
        var reloaded = ModelTokenizer.Load(second);
        Assert.Equal((257, 262), (reloaded.BaseVocabSize, reloaded.VocabSize));
        Assert.Equal(tokenizer.ChatTokens, reloaded.ChatTokens);
        Assert.Equal(File.ReadAllText(Path.Combine(first, "tokenizer.json")), File.ReadAllText(Path.Combine(second, "tokenizer.json")));
    }

    [Fact]
    public void The_folder_records_end_of_text_and_a_folder_without_the_key_means_ours()
    {
        // A vocabulary whose separator is spelled otherwise (LLaMA 3's): recorded as eos_token, honoured on load.
        var vocabulary = Enumerable.Range(0, 256).ToDictionary(b => DataFlow.Text.Tokenization.ByteLevelAlphabet.CharOf((byte)b).ToString(), b => b);
        var model = new DataFlow.Text.Tokenization.ByteLevelBpeModel(vocabulary, [],
            new Dictionary<string, int> { ["<|begin_of_text|>"] = 256, ["<|end_of_text|>"] = 257 }, DataFlow.Text.Tokenization.PreTokenizerPatterns.Cl100k);
        var root = TinyModels.TempDir("eot-folder");
        var source = Path.Combine(root, "tokenizer.json");
        File.WriteAllText(source, DataFlow.Text.Tokenization.HuggingFaceTokenizerJson.Write(model));
        var tokenizer = ChatTokenizer.Load(source, endOfText: "<|end_of_text|>");
        Assert.Equal((257, 257, 258, 263), (tokenizer.EndOfTextId, tokenizer.SpecialTokenId("<|endoftext|>"), tokenizer.BaseVocabSize, tokenizer.VocabSize));
        var folder = Path.Combine(root, "model");
        ModelTokenizer.Save(folder, tokenizer);
        var loaded = ModelTokenizer.Load(folder);
        Assert.Equal(("<|end_of_text|>", 257), (loaded.EndOfText, loaded.EndOfTextId));
        Assert.Equal(tokenizer.ChatTokens, loaded.ChatTokens);

        // A folder written before eos_token was honoured (this one lacks the key) is read as <|endoftext|>: here that
        // vocabulary has none, so loading stops naming the file.
        var configPath = Path.Combine(folder, ModelTokenizer.ConfigFile);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config.Remove("eos_token");
        File.WriteAllText(configPath, config.ToJsonString());
        var error = Assert.ThrowsAny<Exception>(() => ModelTokenizer.Load(folder));
        Assert.Contains("<|endoftext|>", error.Message);

        // An old folder of our own vocabulary, without the key, loads as before.
        var bytesFolder = TinyModels.TempDir("eot-bytes");
        ModelTokenizer.Save(bytesFolder, ChatTokenizer.Load("bytes"));
        var bytesConfig = Path.Combine(bytesFolder, ModelTokenizer.ConfigFile);
        var old = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(bytesConfig))!.AsObject();
        Assert.Equal("<|endoftext|>", old["eos_token"]!.GetValue<string>());
        old.Remove("eos_token");
        File.WriteAllText(bytesConfig, old.ToJsonString());
        Assert.Equal(("<|endoftext|>", 0), (ModelTokenizer.Load(bytesFolder).EndOfText, ModelTokenizer.Load(bytesFolder).EndOfTextId));
    }

    [Fact]
    public void A_model_of_another_vocabulary_is_rejected_naming_both_sides()
    {
        var tokenizer = ChatTokenizer.Load("bytes");
        var error = Assert.Throws<InvalidDataException>(() =>
            ModelTokenizer.Check(TinyModels.Config(), "init model X", tokenizer, "tokenizer of Y"));
        Assert.Contains("init model X has a vocabulary of 17", error.Message);
        Assert.Contains("tokenizer of Y (tokenizer 'bytes') has 262", error.Message);
    }

    [Fact]
    public void Growing_the_vocabulary_keeps_old_logits_and_starts_new_rows_at_the_mean()
    {
        using var model = TinyModels.Build();
        using var grown = ModelTokenizer.GrowVocabulary(model, 20);
        using var scope = NewDisposeScope();
        var old = model.tok_embeddings.weight!;
        var rows = grown.tok_embeddings.weight!;
        Assert.True(rows.narrow(0, 0, 17).allclose(old, rtol: 0, atol: 0));
        var mean = old.mean([0]);
        for (var i = 17; i < 20; i++) Assert.True(rows[i].allclose(mean, rtol: 0, atol: 1e-6));
        var tokens = tensor(new long[] { 1, 5, 9, 3 }).view(1, 4);
        var before = model.forward(tokens);
        var after = grown.forward(tokens).narrow(2, 0, 17);
        Assert.True(after.allclose(before, rtol: 0, atol: 1e-5)); // the tied head: old ids score exactly as before
    }

    [Fact]
    public void Saving_a_model_with_a_tokenizer_of_another_size_fails()
    {
        using var model = TinyModels.Build();
        var folder = TinyModels.TempDir("save-mismatch");
        Assert.Throws<InvalidDataException>(() => ModelWeights.Save(model, model.Config, folder, ChatTokenizer.Load("bytes")));
    }
}

public class Gpt2ChainTests
{
    private sealed class FailingRejects : DataFlow.Engine.Documents.IRejectSink
    {
        public void Reject(DataFlow.Engine.Documents.Reject reject) => throw new DataFlow.Engine.Documents.BadInputException(reject);
    }

    [Fact]
    public void Sft_on_a_gpt2_model_grows_it_by_the_chat_tokens_and_publishes_model_plus_tokenizer()
    {
        // A "pretrained" model on GPT-2's base vocabulary, as pretraining publishes it: weights for 50,257 ids, the gpt2 tokenizer.
        var directory = Sft.RlhfFixtures.TempDirectory();
        var init = Path.Combine(directory, "pretrained");
        var tokenizer = ChatTokenizer.Load("gpt2");
        manual_seed(3);
        using (var pretrained = new Transformer(new ModelConfig { VocabSize = 50257, Dim = 16, Layers = 1, Heads = 2, ContextLength = 64 }))
            ModelWeights.Save(pretrained, pretrained.Config, init, tokenizer: null);
        ModelTokenizer.Save(init, tokenizer);

        var data = Sft.RlhfFixtures.WriteSyntheticTasks(directory, 40, seed: 2);
        var output = Path.Combine(directory, "sft");
        var config = new SftConfig
        {
            Train = [data], Output = output, Init = init, MaxSteps = 3, BatchSize = 4, WarmupSteps = 1, EvalEvery = 100,
            CheckpointEvery = 100, SampleCount = 2, MaxNewTokens = 4, MaxTokens = 64,
        };
        var log = new List<string>();
        new SftTrainer(config, ModelTokenizer.Load(init), log.Add).Run(new FailingRejects());

        var final = Path.Combine(output, SftTrainer.FinalDir);
        Assert.Equal(50262, ModelWeights.LoadConfig(final).VocabSize);
        Assert.Equal(50261, ModelTokenizer.Load(final).SpecialTokenId("<|end|>"));
        Assert.Contains(log, line => line.Contains("vocabulary grown from 50257 to 50262", StringComparison.Ordinal));
        var (model, adapters, chatTokenizer) = ChatSession.Open(final);
        using (model)
        {
            Assert.Null(adapters);
            var session = new ChatSession(model, chatTokenizer, new GenerationOptions { MaxNewTokens = 4, Temperature = 0 });
            session.Reply("What is 2 + 2?", _ => { }); // generates within the grown vocabulary
        }
    }
}
