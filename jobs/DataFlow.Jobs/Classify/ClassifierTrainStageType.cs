using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// <c>type: classifier_train</c>: trains a fastText classifier (<see cref="FastTextTrainer"/>) on documents of a
/// positive set against negatives drawn at random from a corpus, and writes OUT/model.bin (which fastText itself
/// loads) and OUT/train.txt (the training lines, for <c>fasttext supervised</c>). A later classify stage names this
/// stage as its <c>model</c>. Keys: <c>positive</c> (required: files / folders / globs of documents),
/// <c>negative</c> (default: the previous stage's shards), <c>positive_label</c> (hq), <c>negative_label</c> (cc),
/// <c>negatives</c> (how many drawn; default as many as positives), <c>max_positives</c>, <c>validation_fraction</c>
/// (0.1), <c>seed</c> (0), <c>id_field</c>, <c>text_field</c>, and fastText's training keys with
/// <c>dataflow classifier train</c>'s names: <c>epoch</c> (5), <c>lr</c> (0.1), <c>word_ngrams</c> (1), <c>dim</c>
/// (100), <c>minn</c> / <c>maxn</c> (0), <c>bucket</c> (2000000), <c>loss</c> (softmax | ns | hs | ova), <c>neg</c>
/// (5), <c>min_count</c> (1), <c>threads</c> (cores).
/// </summary>
public sealed class ClassifierTrainStageType : IStageType
{
    public string Name => ClassifierModelSource.TrainStageType;

    public string Description => "train a fastText classifier: a positive set against random documents of the corpus -> model.bin for classify";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var positive = section.GetStringList("positive") ?? throw section.Missing("positive");
        InputGlob.Expand(positive, settings.BaseDir);   // fail now on a pattern that matches nothing
        var negative = section.GetStringList("negative");
        if (negative is not null) InputGlob.Expand(negative, settings.BaseDir);
        var defaults = new FastTextArgs();
        var training = new FastTextArgs
        {
            Epoch = section.GetInt("epoch", defaults.Epoch, 1, 10_000),
            LearningRate = section.GetDouble("lr", defaults.LearningRate, 1e-6, 100),
            WordNgrams = section.GetInt("word_ngrams", defaults.WordNgrams, 1, 16),
            Dim = section.GetInt("dim", defaults.Dim, 1, 4096),
            MinN = section.GetInt("minn", defaults.MinN, 0, 64),
            MaxN = section.GetInt("maxn", defaults.MaxN, 0, 64),
            Bucket = section.GetInt("bucket", defaults.Bucket, 0, 1 << 30),
            Loss = Loss(section),
            Negatives = section.GetInt("neg", defaults.Negatives, 1, 1000),
            MinCount = section.GetInt("min_count", defaults.MinCount, 1, int.MaxValue),
            Threads = section.GetInt("threads", defaults.Threads, 1, 1024),
            Seed = section.GetInt("seed", 0, 0),
        };
        if (training.MaxN > 0 && training.MinN > training.MaxN) throw section.Error("minn", $"minn {training.MinN} is above maxn {training.MaxN}");
        var options = new ClassifierTrainOptions
        {
            Positive = positive,
            Negative = negative,
            PositiveLabel = Label(section, "positive_label", "hq"),
            NegativeLabel = Label(section, "negative_label", "cc"),
            Negatives = section.Has("negatives") ? section.GetLong("negatives", 0, 1) : null,
            MaxPositives = section.Has("max_positives") ? section.GetLong("max_positives", 0, 1) : null,
            ValidationFraction = section.GetDouble("validation_fraction", 0.1, 0, 0.9),
            Seed = (ulong)training.Seed,
            Read = ReadOptions.Default with
            {
                IdField = section.GetString("id_field", "id")!,
                TextField = section.GetString("text_field", "text")!,
                KeepMetadata = false,
            },
            Training = training,
        };
        if (options.PositiveLabel == options.NegativeLabel) throw section.Error("negative_label", "the two labels must differ");
        return [new StageDefinition(stageName, Name, new ClassifierTrainJob(options, settings.BaseDir))];
    }

    private static string Label(ConfigSection section, string key, string fallback)
    {
        var label = section.GetString(key, fallback)!;
        if (label.Length == 0 || label.Any(char.IsWhiteSpace)) throw section.Error(key, $"'{label}' must be one word (a fastText label)");
        return label.StartsWith(FastTextArgs.DefaultLabelPrefix, StringComparison.Ordinal) ? label : FastTextArgs.DefaultLabelPrefix + label;
    }

    private static FastTextLoss Loss(ConfigSection section) => section.GetString("loss", "softmax") switch
    {
        "softmax" => FastTextLoss.Softmax,
        "ns" => FastTextLoss.NegativeSampling,
        "hs" => FastTextLoss.HierarchicalSoftmax,
        "ova" or "one-vs-all" => FastTextLoss.OneVsAll,
        var other => throw section.Error("loss", $"'{other}' is not one of softmax, ns, hs, ova"),
    };
}
