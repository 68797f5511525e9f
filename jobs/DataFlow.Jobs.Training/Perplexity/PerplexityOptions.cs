using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Training.Pipeline;

namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>The keys of a <c>perplexity</c> stage (see <see cref="PerplexityStageType"/>), validated.</summary>
public sealed record PerplexityOptions
{
    public required DocumentStageOptions Documents { get; init; }

    /// <summary>The model folder: an earlier training stage (its OUT/final) or a path.</summary>
    public required StageReference Model { get; init; }

    /// <summary>Tokens scored per document at most; 0 = the model's context length (one window).</summary>
    public int MaxTokens { get; init; }

    /// <summary>Tokens per forward pass (rows x window length); bounds the logits' memory (x vocabulary x 4 bytes).</summary>
    public int BatchTokens { get; init; } = 8192;

    /// <summary>Documents handed to the model at once; their windows are sorted by length and packed into passes.</summary>
    public int BatchDocuments { get; init; } = 256;

    /// <summary>libtorch intra-op threads; 0 = every core.</summary>
    public int Threads { get; init; }

    public string Column { get; init; } = "perplexity";
    public string CharColumn { get; init; } = "perplexity_per_char";

    /// <summary>Which perplexity <see cref="MaxPerplexity"/>, the buckets and the histogram use.</summary>
    public PerplexityUnit Unit { get; init; } = PerplexityUnit.Token;

    /// <summary>Drop documents above this perplexity (<c>perplexity.too_high</c>); null keeps all.</summary>
    public double? MaxPerplexity { get; init; }

    /// <summary>Bucketing by corpus percentiles (a second engine stage); null for none.</summary>
    public PerplexityBuckets? Buckets { get; init; }

    /// <summary>The column holding the perplexity that filters and buckets read.</summary>
    public string ScoreColumn => Unit == PerplexityUnit.Token ? Column : CharColumn;
}
