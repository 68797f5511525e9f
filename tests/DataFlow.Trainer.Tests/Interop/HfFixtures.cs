using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>Model folders with a tokenizer.json for the Hugging Face interop tests, and the mixed text the tokenizer checks read.</summary>
internal static class HfFixtures
{
    /// <summary>English, Chinese and code, built from files on this machine (no committed fixture); at most <paramref name="maxLines"/> lines.</summary>
    public static List<string> MixedLines(int maxLines)
    {
        var lines = new List<string>();
        void AddFile(string path, int take)
        {
            if (!File.Exists(path)) return;
            lines.AddRange(File.ReadLines(path).Where(l => l.Trim().Length > 0).Take(take));
        }
        foreach (var license in new[] { "Apache-2.0", "GPL-3", "MPL-2.0", "Artistic", "LGPL-2.1" }) AddFile(Path.Combine("/usr/share/common-licenses", license), 500);
        var root = RepoRoot();
        foreach (var source in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(40))
            AddFile(source, 50);
        // Chinese, Japanese, emoji and accents: the byte-level paths a Latin-only corpus never exercises.
        string[] chinese =
        [
            "机器学习是人工智能的一个分支。", "今天天气很好，我们去公园散步吧！", "数据清洗、去重和分词是预训练的前三步。",
            "模型在十亿个词元上训练了三天。", "东京是日本的首都；北京是中国的首都。", "我爱自然语言处理 🤖 和开源软件。",
            "「你好」他说，然后离开了。", "第１２３号文件：ＡＢＣ，全角字符。", "Ça va? Größe, naïve, café — 日本語のテキスト。",
        ];
        for (var i = 0; lines.Count < maxLines && i < 400; i++) lines.Add($"{chinese[i % chinese.Length]} {i} {chinese[(i * 7 + 3) % chinese.Length]}");
        AddFile(Path.Combine(root, "README.md"), 600);
        lines.AddRange(["", " ", "  leading spaces", "tabs\tand\ttabs", "trailing   ", "a\r\nb", "<|user|> not special in text", "12345678901234567890", "don't won't I'm you'll"]);
        return lines.Take(maxLines).ToList();
    }

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "DataFlow.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A byte-level BPE trained here (cl100k pre-tokenizer, our special tokens inside the vocabulary).</summary>
    public static string TrainedTokenizer(string folder)
    {
        var path = Path.Combine(folder, "trained-tokenizer.json");
        File.WriteAllText(path, TrainedJson.Value);
        return path;
    }

    private static readonly Lazy<string> TrainedJson = new(() =>
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 700 });
        foreach (var line in MixedLines(1500)) trainer.AddText(line);
        return HuggingFaceTokenizerJson.Write(trainer.Train());
    });

    /// <summary>GPT-2's vocabulary as a tokenizer.json (only end-of-text special: the chat tokens are added after it).</summary>
    public static string Gpt2Tokenizer(string folder)
    {
        var model = KnownTokenizers.ByteLevelModel(KnownTokenizers.Gpt2);
        var path = Path.Combine(folder, "gpt2-tokenizer.json");
        File.WriteAllText(path, HuggingFaceTokenizerJson.Write(model));
        return path;
    }

    /// <summary>The special tokens of <see cref="Llama3Folder"/>, in id order after the learned vocabulary, as LLaMA 3.1 orders its first ones.</summary>
    public static readonly string[] Llama3Specials =
    [
        "<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
        "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>",
    ];

    /// <summary>
    /// A Hugging Face folder shaped as a LLaMA 3 base checkpoint, in small: byte-level BPE trained here with cl100k's
    /// pattern (LLaMA 3's), no &lt;|endoftext|&gt;: <see cref="Llama3Specials"/> after the vocabulary as added tokens,
    /// a TemplateProcessing post-processor that prepends &lt;|begin_of_text|&gt;, tokenizer_config.json with bos / eos
    /// &lt;|begin_of_text|&gt; / &lt;|end_of_text|&gt; and no chat template, config.json with their ids and untied random
    /// weights in model.safetensors. Returns the folder and the learned vocabulary's size (the first special's id).
    /// </summary>
    public static (string HfDir, int BaseVocabSize) Llama3Folder(string root)
    {
        var hf = Path.Combine(root, "llama3-hf");
        Directory.CreateDirectory(hf);
        var trained = HuggingFaceTokenizerJson.Read(TrainedJson.Value, "trained");
        var learned = trained.Vocabulary.Count;
        var special = Llama3Specials.Select((t, i) => (t, learned + i)).ToDictionary(p => p.t, p => p.Item2, StringComparer.Ordinal);
        var model = new ByteLevelBpeModel(trained.Vocabulary, trained.Merges, special, PreTokenizerPatterns.Cl100k);
        var json = System.Text.Json.Nodes.JsonNode.Parse(HuggingFaceTokenizerJson.Write(model))!.AsObject();
        json["post_processor"] = System.Text.Json.Nodes.JsonNode.Parse("""
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [LEARNED], "tokens": ["<|begin_of_text|>"]}}}
            """.Replace("LEARNED", learned.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.WriteAllText(Path.Combine(hf, "tokenizer.json"), json.ToJsonString());
        File.WriteAllText(Path.Combine(hf, "tokenizer_config.json"), """
            {"bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>", "clean_up_tokenization_spaces": true,
             "model_input_names": ["input_ids", "attention_mask"], "model_max_length": 131072, "tokenizer_class": "PreTrainedTokenizerFast"}
            """);

        var config = new ModelConfig { VocabSize = learned + special.Count, Dim = 32, Layers = 1, Heads = 4, KvHeads = 2, ContextLength = 96, TieEmbeddings = false, RopeTheta = 500_000 };
        using var transformer = TinyModels.Build(config);
        DataFlow.Trainer.Interop.SafetensorsFile.Write(Path.Combine(hf, "model.safetensors"),
            transformer.state_dict().Select(p => (DataFlow.Trainer.Interop.HfTensorNames.ToHf(p.Key), p.Value)).ToList());
        var hfConfig = DataFlow.Trainer.Interop.HfLlamaConfig.FromModel(config, ChatTokenizer.Load(Path.Combine(hf, "tokenizer.json")));
        hfConfig["bos_token_id"] = special["<|begin_of_text|>"];
        hfConfig["eos_token_id"] = special["<|end_of_text|>"];
        hfConfig.Remove("pad_token_id"); // LLaMA 3 has none
        File.WriteAllText(Path.Combine(hf, "config.json"), hfConfig.ToJsonString());
        return (hf, learned);
    }

    /// <summary>
    /// Rewrites the weights of the model in <paramref name="folder"/> so every part matters: matrices x<paramref name="scale"/>
    /// (N(0, 0.02) initial weights give near-zero logits that would hide a wrong rotation) and norm gains drawn from [0.5, 1.5].
    /// </summary>
    public static void Sharpen(string folder, double scale = 10, long seed = 3)
    {
        using var model = ModelWeights.LoadTransformer(folder);
        TorchSharp.torch.manual_seed(seed);
        using (TorchSharp.torch.no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (name.Contains("norm", StringComparison.Ordinal)) parameter.uniform_(0.5, 1.5);
                else parameter.mul_(scale);
        ModelWeights.Save(model, model.Config, folder, ModelTokenizer.Load(folder));
    }

    /// <summary>A model folder of <paramref name="config"/> sizes (vocabulary set from the tokenizer) with random weights.</summary>
    public static (string Folder, ModelConfig Config) ModelFolder(string name, ModelConfig? config = null, string? tokenizerPath = null, long seed = 7)
    {
        var root = TinyModels.TempDir(name);
        var tokenizer = ChatTokenizer.Load(tokenizerPath ?? TrainedTokenizer(root));
        var sizes = (config ?? TinyModels.Config()) with { VocabSize = tokenizer.VocabSize };
        using var model = TinyModels.Build(sizes, seed);
        var folder = Path.Combine(root, "model");
        ModelWeights.Save(model, model.Config, folder, tokenizer);
        return (folder, model.Config);
    }
}
