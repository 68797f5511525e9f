using DataFlow.Engine.Documents;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>The classifier_train stage's settings, validated when the pipeline is built.</summary>
public sealed record ClassifierTrainOptions
{
    /// <summary>Documents of the positive class (files, folders or globs).</summary>
    public required IReadOnlyList<string> Positive { get; init; }

    /// <summary>Documents the negatives are drawn from; null: the previous stage's shards (the corpus being filtered).</summary>
    public IReadOnlyList<string>? Negative { get; init; }

    public string PositiveLabel { get; init; } = "hq";
    public string NegativeLabel { get; init; } = "cc";

    /// <summary>How many negatives are drawn at random (seeded hash of the id); null: as many as there are positives.</summary>
    public long? Negatives { get; init; }

    /// <summary>At most this many positives (the first by seeded hash of the id); null: all.</summary>
    public long? MaxPositives { get; init; }

    /// <summary>Share of the examples (by seeded hash) held out to measure precision at 1; they do not train.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    public ulong Seed { get; init; }

    public ReadOptions Read { get; init; } = ReadOptions.Default;

    public required FastTextArgs Training { get; init; }
}
