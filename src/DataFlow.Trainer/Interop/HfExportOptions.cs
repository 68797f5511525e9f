using System.Globalization;

namespace DataFlow.Trainer.Interop;

/// <summary>How <see cref="HfExport"/> writes a folder.</summary>
public sealed record HfExportOptions
{
    /// <summary>transformers' default shard limit for save_pretrained ("5GB", decimal units as HF counts them).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Above this many bytes of tensors, weights go to model-0000K-of-0000N.safetensors + model.safetensors.index.json.</summary>
    public long MaxShardBytes { get; init; } = DefaultMaxShardBytes;

    /// <summary>PEFT's base_model_name_or_path for an adapter export; null: the base folder the SFT run recorded.</summary>
    public string? BaseModel { get; init; }

    public HfExportOptions Validate()
    {
        if (MaxShardBytes <= 0) throw new ArgumentException($"max shard size must be positive, got {MaxShardBytes} bytes");
        return this;
    }

    /// <summary>Parses a size as HF writes it: "5GB", "500MB", "10KB" (powers of 1000), "2GiB" (powers of 1024), or plain bytes.</summary>
    public static long ParseSize(string text)
    {
        var s = text.Trim().ToUpperInvariant();
        (string Suffix, long Factor)[] units =
            [("GIB", 1L << 30), ("MIB", 1L << 20), ("KIB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1)];
        foreach (var (suffix, factor) in units)
            if (s.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(s[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
                return (long)(value * factor);
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : throw new ArgumentException($"max shard size '{text}' is not a size (e.g. 5GB, 500MB, 2GiB or a number of bytes)");
    }
}
