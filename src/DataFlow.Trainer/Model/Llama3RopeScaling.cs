namespace DataFlow.Trainer.Model;

/// <summary>
/// Llama 3.1's rotary frequency scaling (Hugging Face's rope_type "llama3"): instead of dividing every position by one
/// factor, each rotary frequency is divided according to its wavelength 2π / inv_freq, measured against the context the
/// model was first trained at. Short wavelengths (under original / high_freq_factor) keep their frequency, long ones
/// (over original / low_freq_factor) are divided by <see cref="Factor"/>, and those between blend the two smoothly.
/// Positions themselves are not scaled.
/// </summary>
public sealed record Llama3RopeScaling
{
    /// <summary>Divisor of the low frequencies (8 in Llama 3.1, 32 in Llama 3.2).</summary>
    public required double Factor { get; init; }

    /// <summary>Wavelengths longer than original_context_length / low_freq_factor are fully scaled (1 in Llama 3.x).</summary>
    public required double LowFreqFactor { get; init; }

    /// <summary>Wavelengths shorter than original_context_length / high_freq_factor are left alone (4 in Llama 3.x).</summary>
    public required double HighFreqFactor { get; init; }

    /// <summary>The context length before extension (Hugging Face's original_max_position_embeddings; 8192 in Llama 3.x).</summary>
    public required int OriginalContextLength { get; init; }

    /// <summary>Which treatment a frequency gets.</summary>
    public enum Band { High, Medium, Low }

    /// <summary>Throws with the key and value when the values cannot describe a scaling.</summary>
    public Llama3RopeScaling Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"model config: rope_llama3: {problem}"); }
        Check(Factor >= 1.0 && double.IsFinite(Factor), $"factor must be >= 1 (it divides the low frequencies), got {Factor}");
        Check(LowFreqFactor > 0 && double.IsFinite(LowFreqFactor), $"low_freq_factor must be positive, got {LowFreqFactor}");
        Check(HighFreqFactor > LowFreqFactor && double.IsFinite(HighFreqFactor),
            $"high_freq_factor ({HighFreqFactor}) must be greater than low_freq_factor ({LowFreqFactor}): the blend between them divides by their difference");
        Check(OriginalContextLength > 0, $"original_context_length must be positive, got {OriginalContextLength}");
        return this;
    }

    /// <summary>The band of a frequency, by its wavelength against the original context (the comparisons Hugging Face makes).</summary>
    public Band BandOf(double inverseFrequency)
    {
        var wavelength = 2 * Math.PI / inverseFrequency;
        if (wavelength < OriginalContextLength / HighFreqFactor) return Band.High;
        return wavelength > OriginalContextLength / LowFreqFactor ? Band.Low : Band.Medium;
    }

    /// <summary>
    /// What each inverse frequency is divided by: 1, <see cref="Factor"/>, or between them, 1 / ((1 - s) / factor + s) with
    /// s = (original / wavelength - low) / (high - low), so inv_freq / divisor is transformers' (1 - s) inv_freq / factor + s inv_freq.
    /// llama.cpp reads these same numbers as its rope_freqs tensor.
    /// </summary>
    public double[] Divisors(IReadOnlyList<double> inverseFrequencies)
    {
        var divisors = new double[inverseFrequencies.Count];
        for (var i = 0; i < divisors.Length; i++)
        {
            var frequency = inverseFrequencies[i];
            divisors[i] = BandOf(frequency) switch
            {
                Band.High => 1.0,
                Band.Low => Factor,
                _ => 1.0 / ((1 - Smooth(frequency)) / Factor + Smooth(frequency)),
            };
        }
        return divisors;
    }

    private double Smooth(double inverseFrequency) =>
        (OriginalContextLength * inverseFrequency / (2 * Math.PI) - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
}
