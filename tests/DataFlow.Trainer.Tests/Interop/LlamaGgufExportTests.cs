using DataFlow.Cli.Commands;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>What the exporter puts in a GGUF file, without llama.cpp: names, dimensions, types, metadata.</summary>
public sealed class LlamaGgufExportTests
{
    private static ByteLevelBpeModel Bytes() => ByteTextTokenizer.ByteLevelModel();

    private static GgufWriter Build(GgmlType type, ModelConfig config)
    {
        TorchRuntime.EnsureInitialized();
        using var model = new Transformer(config);
        var weights = model.state_dict().ToDictionary(p => p.Key, p => (p.Value.shape, p.Value.data<float>().ToArray()));
        return LlamaGgufExport.Build(config, weights, Bytes(), "tiny", ModelTokenizer.JinjaChatTemplate, type);
    }

    [Fact]
    public void Q8_0_export_names_shapes_and_types()
    {
        // Dim 48 is not a whole number of q8_0 blocks: matrices with rows of 48 fall back to f16; ffn_down (rows of 128) is q8_0.
        var config = new ModelConfig { VocabSize = 264, Dim = 48, Layers = 1, Heads = 2, KvHeads = 1, ContextLength = 32, RopeScale = 2 };
        var writer = Build(GgmlType.Q8_0, config);
        var tensors = writer.Tensors.ToDictionary(t => t.Name);
        Assert.Equal(
            ["token_embd.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight", "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight",
             "blk.0.ffn_norm.weight", "blk.0.ffn_gate.weight", "blk.0.ffn_up.weight", "blk.0.ffn_down.weight", "output_norm.weight", "output.weight"],
            writer.Tensors.Select(t => t.Name));
        Assert.Equal([48L, 264], tensors["token_embd.weight"].Dimensions);
        Assert.Equal([48L, 264], tensors["output.weight"].Dimensions); // tied head written explicitly
        Assert.Equal([48L, 24], tensors["blk.0.attn_k.weight"].Dimensions); // one kv head of 24
        Assert.Equal([128L, 48], tensors["blk.0.ffn_down.weight"].Dimensions);
        Assert.Equal(GgmlType.F32, tensors["blk.0.attn_norm.weight"].Type);
        Assert.Equal(GgmlType.F16, tensors["blk.0.attn_q.weight"].Type);
        Assert.Equal(GgmlType.Q8_0, tensors["blk.0.ffn_down.weight"].Type);

        var metadata = writer.Metadata.ToDictionary(p => p.Key, p => p.Value.Value);
        Assert.Equal("llama", metadata["general.architecture"]);
        Assert.Equal(7u, metadata["general.file_type"]);
        Assert.Equal(24u, metadata["llama.rope.dimension_count"]);
        Assert.Equal(1u, metadata["llama.attention.head_count_kv"]);
        Assert.Equal(128u, metadata["llama.feed_forward_length"]);
        Assert.Equal("linear", metadata["llama.rope.scaling.type"]);
        Assert.Equal(2f, metadata["llama.rope.scaling.factor"]);
        Assert.Equal("gpt-2", metadata["tokenizer.ggml.pre"]);
        var tokens = (IReadOnlyList<string>)metadata["tokenizer.ggml.tokens"];
        var types = (IReadOnlyList<int>)metadata["tokenizer.ggml.token_type"];
        Assert.Equal(264, tokens.Count);
        Assert.Equal(("<|endoftext|>", 3), (tokens[0], types[0]));
        Assert.Equal(("Ġ", 1), (tokens[6 + 32], types[6 + 32])); // the space byte in byte-level form
        Assert.Equal(("[PAD263]", 5), (tokens[263], types[263]));
        Assert.Equal(0u, metadata["tokenizer.ggml.eos_token_id"]);
        Assert.Equal(5u, metadata["tokenizer.ggml.eot_token_id"]);
        Assert.Equal(false, metadata["tokenizer.ggml.add_bos_token"]);
    }

    [Fact]
    public void Llama3_rope_is_a_rope_freqs_tensor_of_divisors_and_no_scaling_keys()
    {
        // Head dim 16, theta 1e4, original context 32: divisors 1 (wavelength 6.3), blended (19.9), then the factor 4.
        var llama3 = new Llama3RopeScaling { Factor = 4, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 32 };
        var config = new ModelConfig { VocabSize = 262, Dim = 32, Layers = 1, Heads = 2, ContextLength = 128, RopeLlama3 = llama3 };
        var writer = Build(GgmlType.Q8_0, config);
        Assert.DoesNotContain(writer.Metadata, p => p.Key.StartsWith("llama.rope.scaling", StringComparison.Ordinal));
        var ropeFreqs = Assert.Single(writer.Tensors, t => t.Name == "rope_freqs.weight");
        Assert.Equal([8L], ropeFreqs.Dimensions);
        Assert.Equal(GgmlType.F32, ropeFreqs.Type);

        // convert_hf_to_gguf.py's values: 1 / ((1 - smooth) / factor + smooth) between the bands, smooth = (32 / wavelength - 1) / 3.
        var smooth = (32 / (2 * Math.PI / Math.Pow(10_000, -2.0 / 16)) - 1) / 3;
        float[] expected = [1f, (float)(1 / ((1 - smooth) / 4 + smooth)), 4f, 4f, 4f, 4f, 4f, 4f];
        Assert.InRange(expected[1], 1.01f, 3.99f);
        using var file = new MemoryStream();
        writer.WriteTo(file);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected.AsSpan()).ToArray();
        Assert.True(file.ToArray().AsSpan().IndexOf(bytes) >= 0, "the file does not hold the expected rope_freqs values");
    }

    [Fact]
    public void Without_rope_scaling_no_scaling_keys()
    {
        var writer = Build(GgmlType.F32, new ModelConfig { VocabSize = 262, Dim = 32, Layers = 1, Heads = 2, ContextLength = 16 });
        Assert.DoesNotContain(writer.Metadata, p => p.Key.StartsWith("llama.rope.scaling", StringComparison.Ordinal));
        Assert.DoesNotContain(writer.Tensors, t => t.Name == "rope_freqs.weight");
        Assert.All(writer.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
    }

    [Fact]
    public void A_pattern_llama_cpp_does_not_know_is_refused_by_name()
    {
        var bytes = Bytes();
        var custom = new ByteLevelBpeModel(bytes.Vocabulary.Append(KeyValuePair.Create("ab", 300)).ToDictionary(), [new BpeMerge("a", "b")], bytes.SpecialTokens, @"\w+|\s+");
        var error = Assert.Throws<NotSupportedException>(() => LlamaCppPreTokenizer.NameFor(custom));
        Assert.Contains(@"\w+|\s+", error.Message);
        Assert.Equal("llama-bpe", LlamaCppPreTokenizer.NameFor(new ByteLevelBpeModel(bytes.Vocabulary, [], bytes.SpecialTokens, PreTokenizerPatterns.Cl100k)));
    }

    [Fact]
    public void An_untied_head_is_exported_and_unknown_tensors_are_refused()
    {
        TorchRuntime.EnsureInitialized();
        var config = new ModelConfig { VocabSize = 262, Dim = 32, Layers = 1, Heads = 2, ContextLength = 16 };
        using var model = new Transformer(config);
        var weights = model.state_dict().ToDictionary(p => p.Key, p => (p.Value.shape, p.Value.data<float>().ToArray()));
        var head = Enumerable.Range(0, 262 * 32).Select(i => i * 1e-3f).ToArray();
        weights["output.weight"] = ([262L, 32], head);
        var writer = LlamaGgufExport.Build(config, weights, Bytes(), "untied", ModelTokenizer.JinjaChatTemplate, GgmlType.F32);
        using (var stream = new MemoryStream())
        {
            writer.WriteTo(stream);
            // The head's bytes are the last tensor of the file: the untied matrix, not the embedding.
            var bytes = stream.ToArray();
            var tail = bytes.AsSpan(bytes.Length - head.Length * 4);
            Assert.Equal(head, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tail).ToArray());
        }
        weights["layers.0.attention.wq.lora_a"] = ([4L, 32], new float[128]);
        var error = Assert.Throws<InvalidDataException>(() => LlamaGgufExport.Build(config, weights, Bytes(), "x", "", GgmlType.F32));
        Assert.Contains("layers.0.attention.wq.lora_a", error.Message);
    }

    [Fact]
    public void Cli_writes_the_model_folder_with_its_tokenizer_json()
    {
        TorchRuntime.EnsureInitialized();
        var directory = TinyModels.TempDir("export-gguf");
        var tokenizerJson = Path.Combine(directory, "bytes.json");
        File.WriteAllText(tokenizerJson, HuggingFaceTokenizerJson.Write(Bytes()));
        var folder = Path.Combine(directory, "model");
        manual_seed(2);
        using (var model = new Transformer(new ModelConfig { VocabSize = 262, Dim = 32, Layers = 1, Heads = 2, ContextLength = 16 }))
            ModelWeights.Save(model, model.Config, folder, ChatTokenizer.Load(tokenizerJson));
        var output = Path.Combine(directory, "out", "model.gguf");
        Assert.Equal(0, ExportGgufCommand.Run(new ExportGgufCommand.Settings { ModelDir = folder, Output = output, Type = "q8_0" }));
        var bytes = File.ReadAllBytes(output);
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BitConverter.ToUInt32(bytes, 4));
        Assert.Equal(12ul, BitConverter.ToUInt64(bytes, 8)); // 1 layer: embedding, 9 per layer, output norm, output
        Assert.Equal(0, bytes.Length % 32);
        Assert.Throws<ArgumentException>(() => ExportGgufCommand.Run(new ExportGgufCommand.Settings { ModelDir = folder, Output = output, Type = "q4_0" }));
        File.Delete(Path.Combine(folder, ModelTokenizer.TokenizerFile));
        var missing = Assert.Throws<FileNotFoundException>(() => ExportGgufCommand.Run(new ExportGgufCommand.Settings { ModelDir = folder, Output = output }));
        Assert.Contains("tokenizer.json", missing.Message);
    }

    [Fact]
    public void A_base_model_exports_without_the_chat_tokens_its_tokenizer_json_lists_beyond_its_rows()
    {
        // A GPT-2 base model (50,257 rows) before SFT grew it: the folder's tokenizer.json lists the chat tokens at 50257-50261.
        TorchRuntime.EnsureInitialized();
        var directory = TinyModels.TempDir("export-gguf-base");
        var folder = Path.Combine(directory, "model");
        var tokenizer = ChatTokenizer.Load("gpt2");
        using (var model = new Transformer(new ModelConfig { VocabSize = tokenizer.BaseVocabSize, Dim = 16, Layers = 1, Heads = 2, ContextLength = 16 }))
        {
            ModelWeights.Save(model, model.Config, folder, tokenizer: null);
            ModelTokenizer.Save(folder, tokenizer);
        }
        var output = Path.Combine(directory, "base.gguf");
        LlamaGgufExport.Export(folder, output, GgmlType.F32);
        Assert.True(new FileInfo(output).Length > 50257L * 16 * 4);
    }
}
