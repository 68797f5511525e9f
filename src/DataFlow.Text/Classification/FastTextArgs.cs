namespace DataFlow.Text.Classification;

/// <summary>
/// fastText's Args. The first thirteen properties are stored in every .bin / .ftz, in this order
/// (dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t);
/// the rest only steer training. Defaults are those of `fasttext supervised`.
/// </summary>
public sealed record FastTextArgs
{
    public const string DefaultLabelPrefix = "__label__";

    public int Dim { get; init; } = 100;
    public int WindowSize { get; init; } = 5;
    public int Epoch { get; init; } = 5;
    public int MinCount { get; init; } = 1;
    public int Negatives { get; init; } = 5;
    public int WordNgrams { get; init; } = 1;
    public FastTextLoss Loss { get; init; } = FastTextLoss.Softmax;
    public FastTextModelKind Model { get; init; } = FastTextModelKind.Supervised;
    /// <summary>Hash buckets for word and char n-grams; fastText sets 0 when wordNgrams &lt;= 1 and maxn == 0.</summary>
    public int Bucket { get; init; } = 2_000_000;
    public int MinN { get; init; }
    public int MaxN { get; init; }
    public int LrUpdateRate { get; init; } = 100;
    /// <summary>Sampling threshold (only word-vector models use it).</summary>
    public double SamplingThreshold { get; init; } = 1e-4;

    // Training only: not stored in model files.
    public double LearningRate { get; init; } = 0.1;
    public int MinCountLabel { get; init; }
    public string LabelPrefix { get; init; } = DefaultLabelPrefix;
    /// <summary>Training threads (Hogwild: each trains on its own slice of the examples, all update the same matrices).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Seed of the input matrix initialisation and of the threads' generators (thread i gets seed + i).</summary>
    public int Seed { get; init; }

    /// <summary>Reads the thirteen stored fields (fastText's Args::load).</summary>
    public static FastTextArgs Read(BinaryReader reader) => new()
    {
        Dim = reader.ReadInt32(),
        WindowSize = reader.ReadInt32(),
        Epoch = reader.ReadInt32(),
        MinCount = reader.ReadInt32(),
        Negatives = reader.ReadInt32(),
        WordNgrams = reader.ReadInt32(),
        Loss = (FastTextLoss)reader.ReadInt32(),
        Model = (FastTextModelKind)reader.ReadInt32(),
        Bucket = reader.ReadInt32(),
        MinN = reader.ReadInt32(),
        MaxN = reader.ReadInt32(),
        LrUpdateRate = reader.ReadInt32(),
        SamplingThreshold = reader.ReadDouble(),
    };

    /// <summary>Writes the thirteen stored fields (fastText's Args::save).</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Dim);
        writer.Write(WindowSize);
        writer.Write(Epoch);
        writer.Write(MinCount);
        writer.Write(Negatives);
        writer.Write(WordNgrams);
        writer.Write((int)Loss);
        writer.Write((int)Model);
        writer.Write(Bucket);
        writer.Write(MinN);
        writer.Write(MaxN);
        writer.Write(LrUpdateRate);
        writer.Write(SamplingThreshold);
    }
}
