using System.Text.Json.Serialization;

namespace DataFlow.Trainer.Model;

/// <summary>
/// Sizes of a LLaMA-style decoder. Immutable and validated, saved next to every checkpoint so a model can be
/// rebuilt from its folder alone.
/// </summary>
public sealed record ModelConfig
{
    public required int VocabSize { get; init; }
    public int Dim { get; init; } = 128;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;

    /// <summary>Key/value heads for grouped-query attention; 0 means one per query head (plain multi-head attention).</summary>
    public int KvHeads { get; init; }

    /// <summary>Longest sequence the rotary tables cover (and the KV cache may hold).</summary>
    public int ContextLength { get; init; } = 256;

    /// <summary>SwiGLU hidden width; 0 means LLaMA's 8/3 * Dim rounded up to a multiple of 32.</summary>
    public int FfnHidden { get; init; }

    public double RopeTheta { get; init; } = 10_000;

    /// <summary>Position interpolation: positions are divided by this factor, so a model trained at context L can be fine-tuned at L * scale.</summary>
    public double RopeScale { get; init; } = 1.0;

    /// <summary>
    /// Llama 3.1's per-frequency rotary scaling instead of <see cref="RopeScale"/> (which must then stay 1); null for plain
    /// or linearly scaled rotary. Left out of model_config.json when null, so folders without it read and write as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Llama3RopeScaling? RopeLlama3 { get; init; }

    public double NormEps { get; init; } = 1e-5;

    /// <summary>
    /// The output head is the embedding matrix (true, our default and GPT-2's) or a separate <c>output</c> matrix (false,
    /// as in LLaMA and most imported checkpoints). Defaults to true so folders written before the key existed load unchanged.
    /// </summary>
    public bool TieEmbeddings { get; init; } = true;

    [JsonIgnore] public int HeadDim => Dim / Heads;
    [JsonIgnore] public int KvHeadCount => KvHeads == 0 ? Heads : KvHeads;
    [JsonIgnore] public int Hidden => FfnHidden > 0 ? FfnHidden : (8 * Dim / 3 + 31) / 32 * 32;

    public ModelConfig Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"model config: {problem}"); }
        Check(VocabSize > 0, $"vocab_size must be positive, got {VocabSize}");
        Check(Dim > 0 && Layers > 0 && Heads > 0 && ContextLength > 0, "dim, layers, heads and context_length must be positive");
        Check(Dim % Heads == 0, $"dim {Dim} is not divisible by heads {Heads}");
        Check(HeadDim % 2 == 0, $"head dimension {HeadDim} must be even for rotary embeddings");
        Check(KvHeads >= 0 && Heads % KvHeadCount == 0, $"heads {Heads} is not a multiple of kv_heads {KvHeads}");
        Check(RopeScale >= 1.0, $"rope_scale must be >= 1, got {RopeScale}");
        Check(RopeLlama3 is null || RopeScale == 1.0, $"rope_scale {RopeScale} and rope_llama3 both scale the rotary frequencies; give one");
        RopeLlama3?.Validate();
        return this;
    }

    /// <summary>Trainable parameters (a tied output head is the embedding, counted once; an untied one adds vocab * dim).</summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long d = Dim, kv = (long)KvHeadCount * HeadDim;
            var attention = d * d * 2 + d * kv * 2;
            var mlp = 3 * d * Hidden;
            var embeddings = (long)VocabSize * d * (TieEmbeddings ? 1 : 2);
            return embeddings + Layers * (attention + mlp + 2 * d) + d;
        }
    }

    /// <summary>
    /// Training FLOPs per token at sequence length <paramref name="seqLen"/>, by PaLM's formula (Chowdhery et al. 2022,
    /// appendix B): 6N for the weight matmuls (2N forward, 4N backward) plus 12 * layers * dim * seqLen for the attention
    /// scores and their weighted sum (no discount for the causal mask). N counts the parameters a token is multiplied by:
    /// <see cref="ParameterCount"/>, less the input embedding when the head is untied (a lookup, no FLOPs); a tied
    /// embedding counts once, as the output head.
    /// </summary>
    public double TrainingFlopsPerToken(int seqLen)
    {
        var multiplied = ParameterCount - (TieEmbeddings ? 0 : (long)VocabSize * Dim);
        return 6.0 * multiplied + 12.0 * Layers * Dim * seqLen;
    }
}
