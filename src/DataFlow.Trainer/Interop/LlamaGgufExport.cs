using System.Globalization;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// A DataFlow model folder as a GGUF file of llama.cpp's <c>llama</c> architecture: hyperparameters as <c>llama.*</c>
/// keys, the folder's tokenizer.json as the <c>gpt2</c> BPE tokenizer, and the weights under GGUF tensor names with
/// query and key rows reordered to llama.cpp's rotary pairs (<see cref="RotaryPairLayout"/>).
/// </summary>
public static class LlamaGgufExport
{
    /// <summary>Our weight name (per layer with {0} = layer) -> GGUF name; every tensor of the model must be listed.</summary>
    private static readonly (string Ours, string Gguf)[] LayerNames =
    [
        ("layers.{0}.attention_norm.weight", "blk.{0}.attn_norm.weight"),
        ("layers.{0}.attention.wq.weight", "blk.{0}.attn_q.weight"),
        ("layers.{0}.attention.wk.weight", "blk.{0}.attn_k.weight"),
        ("layers.{0}.attention.wv.weight", "blk.{0}.attn_v.weight"),
        ("layers.{0}.attention.wo.weight", "blk.{0}.attn_output.weight"),
        ("layers.{0}.ffn_norm.weight", "blk.{0}.ffn_norm.weight"),
        ("layers.{0}.feed_forward.w1.weight", "blk.{0}.ffn_gate.weight"),
        ("layers.{0}.feed_forward.w3.weight", "blk.{0}.ffn_up.weight"),
        ("layers.{0}.feed_forward.w2.weight", "blk.{0}.ffn_down.weight"),
    ];

    /// <summary>The --type names: f32, f16, bf16, q8_0.</summary>
    public static GgmlType ParseType(string name) => name.ToLowerInvariant() switch
    {
        "f32" => GgmlType.F32,
        "f16" => GgmlType.F16,
        "bf16" => GgmlType.BF16,
        "q8_0" => GgmlType.Q8_0,
        _ => throw new ArgumentException($"unknown GGUF tensor type '{name}' (f32, f16, bf16, q8_0)"),
    };

    /// <summary>llama.cpp's <c>general.file_type</c> (llama_ftype) for a file whose matrices are <paramref name="type"/>.</summary>
    public static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q8_0 => 7,
        GgmlType.BF16 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Reads <paramref name="modelDir"/> (model_config.json, model.safetensors, tokenizer.json) and writes <paramref name="outputPath"/>.</summary>
    public static void Export(string modelDir, string outputPath, GgmlType type)
    {
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"{modelDir}: no such model folder");
        var tokenizerPath = Path.Combine(modelDir, ModelTokenizer.TokenizerFile);
        if (!File.Exists(tokenizerPath))
            throw new FileNotFoundException($"{modelDir}: the model folder has no {ModelTokenizer.TokenizerFile}; GGUF export writes the tokenizer into the file and needs its byte-level BPE vocabulary", tokenizerPath);
        var config = ModelWeights.LoadConfig(modelDir);
        // Only the tokens the model has rows for: a base model exports before SFT grew its embedding by the chat tokens
        // that the folder's tokenizer.json already lists.
        var tokenizer = TokenizerFiles.ByteLevelModel(tokenizerPath, baseVocabSize: config.VocabSize)
            ?? throw new NotSupportedException($"{tokenizerPath}: a character tokenizer has no byte-level BPE form for GGUF");
        var weights = new Dictionary<string, (long[] Shape, float[] Values)>(StringComparer.Ordinal);
        using (var model = ModelWeights.LoadTransformer(modelDir))
        {
            foreach (var (key, tensor) in model.state_dict())
            {
                using var values = tensor.detach().to(ScalarType.Float32).contiguous();
                weights[key] = (values.shape, values.data<float>().ToArray());
            }
        }
        var name = Path.GetFileName(Path.GetFullPath(modelDir).TrimEnd(Path.DirectorySeparatorChar));
        // The folder's tokenizer_config.json records the separator (eos_token), as Hugging Face's does.
        var writer = Build(config, weights, tokenizer, name, ModelTokenizer.ChatTemplateOf(modelDir), type, EndOfTextToken.Find(tokenizerPath, tokenizer));
        var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        Directory.CreateDirectory(directory);
        var temp = outputPath + ".tmp";
        using (var stream = File.Create(temp)) writer.WriteTo(stream);
        File.Move(temp, outputPath, overwrite: true);
    }

    /// <summary>
    /// The GGUF contents for a model: <paramref name="weights"/> by DataFlow name (row-major float32 with PyTorch
    /// shapes), an optional untied <c>output.weight</c> among them. Matrices become <paramref name="type"/>; norms stay F32,
    /// and a matrix whose rows do not fill whole q8_0 blocks is written F16, as llama.cpp's converter does.
    /// </summary>
    public static GgufWriter Build(ModelConfig config, IReadOnlyDictionary<string, (long[] Shape, float[] Values)> weights,
        ByteLevelBpeModel tokenizer, string name, string chatTemplate, GgmlType type, string endOfText = SpecialTokens.EndOfText)
    {
        var writer = new GgufWriter();
        writer.Add("general.architecture", GgufValue.String("llama"));
        writer.Add("general.name", GgufValue.String(name));
        writer.Add("general.file_type", GgufValue.UInt32(FileType(type)));
        if (type == GgmlType.Q8_0) writer.Add("general.quantization_version", GgufValue.UInt32(2)); // ggml's GGML_QNT_VERSION
        writer.Add(GgufWriter.AlignmentKey, GgufValue.UInt32(GgufWriter.DefaultAlignment));
        writer.Add("llama.vocab_size", GgufValue.UInt32((uint)config.VocabSize));
        writer.Add("llama.context_length", GgufValue.UInt32((uint)config.ContextLength));
        writer.Add("llama.embedding_length", GgufValue.UInt32((uint)config.Dim));
        writer.Add("llama.block_count", GgufValue.UInt32((uint)config.Layers));
        writer.Add("llama.feed_forward_length", GgufValue.UInt32((uint)config.Hidden));
        writer.Add("llama.attention.head_count", GgufValue.UInt32((uint)config.Heads));
        writer.Add("llama.attention.head_count_kv", GgufValue.UInt32((uint)config.KvHeadCount));
        writer.Add("llama.rope.dimension_count", GgufValue.UInt32((uint)config.HeadDim));
        writer.Add("llama.rope.freq_base", GgufValue.Float32((float)config.RopeTheta));
        writer.Add("llama.attention.layer_norm_rms_epsilon", GgufValue.Float32((float)config.NormEps));
        // Llama 3 scaling has no key: llama.cpp reads it from the rope_freqs tensor below (no scaling type, as its converter writes).
        if (config.RopeScale != 1.0)
        {
            // Position interpolation: llama.cpp multiplies positions by 1 / factor, as we divide them by rope_scale.
            writer.Add("llama.rope.scaling.type", GgufValue.String("linear"));
            writer.Add("llama.rope.scaling.factor", GgufValue.Float32((float)config.RopeScale));
        }
        GgufTokenizerMetadata.Add(writer, tokenizer, config.VocabSize, chatTemplate, endOfText);

        var used = new HashSet<string>(StringComparer.Ordinal);
        (long[] Shape, float[] Values) Take(string ours)
        {
            if (!weights.TryGetValue(ours, out var weight)) throw new InvalidDataException($"the model has no tensor '{ours}'");
            used.Add(ours);
            return weight;
        }
        void Add(string ggufName, (long[] Shape, float[] Values) weight)
        {
            // ggml lists dimensions innermost first: a PyTorch [out, in] matrix is ne = [in, out].
            var dimensions = weight.Shape.Reverse().ToArray();
            var tensorType = dimensions.Length == 1 ? GgmlType.F32
                : GgmlEncoding.Fits(type, dimensions[0]) ? type
                : GgmlType.F16;
            writer.AddTensor(ggufName, dimensions, tensorType, GgmlEncoding.Encode(weight.Values, tensorType, dimensions[0]));
        }

        if (config.RopeLlama3 is { } llama3)
        {
            // llama.cpp divides each base frequency freq_base^(-2i/d) by rope_freqs[i] (ggml_rope_ext's freq_factors), the
            // tensor convert_hf_to_gguf.py computes from rope_scaling for rope_type llama3: always F32, d/2 values.
            var baseFrequencies = Enumerable.Range(0, config.HeadDim / 2).Select(i => Math.Pow(config.RopeTheta, -2.0 * i / config.HeadDim)).ToArray();
            var divisors = llama3.Divisors(baseFrequencies).Select(d => (float)d).ToArray();
            writer.AddTensor("rope_freqs.weight", [divisors.Length], GgmlType.F32, GgmlEncoding.Encode(divisors, GgmlType.F32, divisors.Length));
        }

        var embedding = Take("tok_embeddings.weight");
        Add("token_embd.weight", embedding);
        for (var layer = 0; layer < config.Layers; layer++)
        {
            foreach (var (ours, gguf) in LayerNames)
            {
                var ourName = string.Format(CultureInfo.InvariantCulture, ours, layer);
                var ggufName = string.Format(CultureInfo.InvariantCulture, gguf, layer);
                var weight = Take(ourName);
                if (ggufName.EndsWith("attn_q.weight", StringComparison.Ordinal) || ggufName.EndsWith("attn_k.weight", StringComparison.Ordinal))
                {
                    var heads = ggufName.EndsWith("attn_q.weight", StringComparison.Ordinal) ? config.Heads : config.KvHeadCount;
                    weight = (weight.Shape, RotaryPairLayout.HalvesToAdjacentPairs(weight.Values, heads, config.HeadDim, (int)weight.Shape[1]));
                }
                Add(ggufName, weight);
            }
        }
        Add("output_norm.weight", Take("norm.weight"));
        // Written even when tied: llama.cpp would silently reuse token_embd for a missing output.weight, and an explicit
        // head keeps the file unambiguous for every reader.
        Add("output.weight", weights.ContainsKey("output.weight") ? Take("output.weight") : embedding);
        var unmapped = weights.Keys.Where(k => !used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unmapped.Count > 0) throw new InvalidDataException($"model tensors with no GGUF name: {string.Join(", ", unmapped)}");
        return writer;
    }
}
