namespace DataFlow.Trainer.Scoring;

/// <summary>
/// What a language model made of one token sequence: the summed negative log-likelihood (nats) of the
/// <see cref="Tokens"/> tokens it predicted. Perplexity per token is exp(NLL / tokens); per character, exp(NLL / characters).
/// </summary>
public readonly record struct SequenceLoss(double NegativeLogLikelihood, int Tokens)
{
    /// <summary>exp(mean NLL) over <paramref name="units"/> (tokens or characters); NaN when there are none.</summary>
    public double PerplexityOver(long units) => units > 0 ? Math.Exp(NegativeLogLikelihood / units) : double.NaN;

    public double TokenPerplexity => PerplexityOver(Tokens);
}
