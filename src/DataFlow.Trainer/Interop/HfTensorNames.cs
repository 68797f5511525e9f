using System.Text.RegularExpressions;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// Our tensor names and Hugging Face <c>LlamaForCausalLM</c>'s, both ways; export and import use this one table. The
/// layouts agree (nn.Linear [out, in] on both sides, rotary on halves as HF's rotate_half), so only names change.
/// PEFT adapter names are the HF module path under <c>base_model.model.</c> with <c>.lora_A.weight</c> / <c>.lora_B.weight</c>.
/// </summary>
public static partial class HfTensorNames
{
    /// <summary>Module inside one of our blocks -> module inside an HF decoder layer.</summary>
    private static readonly IReadOnlyDictionary<string, string> LayerModules = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["attention.wq"] = "self_attn.q_proj",
        ["attention.wk"] = "self_attn.k_proj",
        ["attention.wv"] = "self_attn.v_proj",
        ["attention.wo"] = "self_attn.o_proj",
        ["feed_forward.w1"] = "mlp.gate_proj", // silu(w1 x): the gate
        ["feed_forward.w3"] = "mlp.up_proj",
        ["feed_forward.w2"] = "mlp.down_proj",
        ["attention_norm"] = "input_layernorm",
        ["ffn_norm"] = "post_attention_layernorm",
    };

    private static readonly IReadOnlyDictionary<string, string> TopLevel = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tok_embeddings.weight"] = "model.embed_tokens.weight",
        ["norm.weight"] = "model.norm.weight",
        ["output.weight"] = "lm_head.weight",
    };

    private static readonly Dictionary<string, string> LayerModulesBack = LayerModules.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    private static readonly Dictionary<string, string> TopLevelBack = TopLevel.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every tensor a <see cref="Model.Transformer"/> of <paramref name="config"/> holds, by our name, without building one.</summary>
    public static IEnumerable<string> OurNames(Model.ModelConfig config)
    {
        yield return "tok_embeddings.weight";
        for (var i = 0; i < config.Layers; i++)
            foreach (var module in LayerModules.Keys) yield return $"layers.{i}.{module}.weight";
        yield return "norm.weight";
        if (!config.TieEmbeddings) yield return "output.weight";
    }

    /// <summary>The HF name of our tensor <paramref name="ours"/>; throws for a name outside the table.</summary>
    public static string ToHf(string ours)
    {
        if (TopLevel.TryGetValue(ours, out var top)) return top;
        var match = OurLayerTensor().Match(ours);
        if (match.Success && LayerModules.TryGetValue(match.Groups[2].Value, out var module))
            return $"model.layers.{match.Groups[1].Value}.{module}.weight";
        throw new ArgumentException($"tensor '{ours}' has no Hugging Face name");
    }

    /// <summary>Our name of the HF tensor <paramref name="hf"/>, or null when we have no such tensor.</summary>
    public static string? FromHf(string hf)
    {
        if (TopLevelBack.TryGetValue(hf, out var top)) return top;
        var match = HfLayerTensor().Match(hf);
        return match.Success && LayerModulesBack.TryGetValue(match.Groups[2].Value, out var module)
            ? $"layers.{match.Groups[1].Value}.{module}.weight"
            : null;
    }

    /// <summary>HF module name (<c>q_proj</c>, ..., <c>down_proj</c>) of a LoRA target (<c>wq</c>, ..., <c>w3</c>): PEFT's target_modules.</summary>
    public static string TargetModule(string loraTarget)
    {
        var module = LayerModules.FirstOrDefault(p => p.Key.EndsWith("." + loraTarget, StringComparison.Ordinal)).Value
            ?? throw new ArgumentException($"unknown LoRA target '{loraTarget}'");
        return module[(module.IndexOf('.') + 1)..];
    }

    /// <summary>PEFT's name of our adapter tensor (<c>layers.0.attention.wq.lora_A</c> -> <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>).</summary>
    public static string ToPeft(string oursAdapter)
    {
        var match = OurAdapterTensor().Match(oursAdapter);
        if (!match.Success || !LayerModules.TryGetValue(match.Groups[2].Value, out var module))
            throw new ArgumentException($"adapter tensor '{oursAdapter}' has no PEFT name");
        return $"base_model.model.model.layers.{match.Groups[1].Value}.{module}.{match.Groups[3].Value}.weight";
    }

    [GeneratedRegex(@"^layers\.(\d+)\.(.+)\.weight$")]
    private static partial Regex OurLayerTensor();

    [GeneratedRegex(@"^model\.layers\.(\d+)\.(.+)\.weight$")]
    private static partial Regex HfLayerTensor();

    [GeneratedRegex(@"^layers\.(\d+)\.(.+)\.(lora_A|lora_B)$")]
    private static partial Regex OurAdapterTensor();
}
