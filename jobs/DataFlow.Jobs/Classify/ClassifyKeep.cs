using System.Globalization;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// The classify stage's filter: keep a document when <see cref="Label"/>'s probability is at least
/// <see cref="MinScore"/>, or when it is among the <see cref="TopFraction"/> of the corpus with the highest
/// probability of <see cref="Label"/> (one of the two is set). The label's probability is computed for every
/// document, also where it is not the top label.
/// </summary>
public sealed record ClassifyKeep(string Label, double? MinScore, double? TopFraction)
{
    /// <summary>The drop reason of a document scored below <paramref name="threshold"/>: <c>classifier:LABEL&lt;t</c>.</summary>
    public string Reason(double threshold) => $"classifier:{Label}<{Format(threshold)}";

    /// <summary>
    /// The drop reason of a document scored exactly at the top-fraction cutoff but past the number of documents the
    /// fraction allows (ties at the cutoff are kept in input order until that number is reached).
    /// </summary>
    public string TieReason(double threshold) => $"classifier:{Label}={Format(threshold)}:over_fraction";

    private static string Format(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
