using System.ComponentModel;
using System.Diagnostics;
using DataFlow.Jobs.Classify;
using DataFlow.Text.Classification;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ClassifierTrainCommand : Command<ClassifierTrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <FILE>")]
        [Description("Labelled examples: .jsonl (fields label and text; .gz too) or a text file in fastText's format (__label__x text).")]
        public string Input { get; init; } = "";

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the model (.bin, fastText's format: `fasttext predict` loads it).")]
        public string Output { get; init; } = "model.bin";

        [CommandOption("--epoch <N>")]
        [Description("Passes over the data (default 5).")]
        public int Epoch { get; init; } = 5;

        [CommandOption("--lr <RATE>")]
        [Description("Starting learning rate, decaying linearly to 0 (default 0.1).")]
        public double LearningRate { get; init; } = 0.1;

        [CommandOption("--word-ngrams <N>")]
        [Description("Longest word n-gram used as a feature (default 1).")]
        public int WordNgrams { get; init; } = 1;

        [CommandOption("--dim <N>")]
        [Description("Size of the word vectors (default 100).")]
        public int Dim { get; init; } = 100;

        [CommandOption("--minn <N>")]
        [Description("Shortest character n-gram (default 0: no subwords).")]
        public int MinN { get; init; }

        [CommandOption("--maxn <N>")]
        [Description("Longest character n-gram (default 0: no subwords).")]
        public int MaxN { get; init; }

        [CommandOption("--bucket <N>")]
        [Description("Hash buckets for word and character n-grams (default 2000000; none are used without n-grams).")]
        public int Bucket { get; init; } = 2_000_000;

        [CommandOption("--loss <softmax|ns|hs|ova>")]
        [Description("Loss: softmax (default), ns (negative sampling), hs (hierarchical softmax), ova (one-vs-all, for multi-label).")]
        public string Loss { get; init; } = "softmax";

        [CommandOption("--neg <N>")]
        [Description("Negatives sampled per example with --loss ns (default 5).")]
        public int Negatives { get; init; } = 5;

        [CommandOption("--threads <N>")]
        [Description("Training threads (default: all cores).")]
        public int? Threads { get; init; }

        [CommandOption("--min-count <N>")]
        [Description("Words seen fewer times are left out of the vocabulary (default 1).")]
        public int MinCount { get; init; } = 1;

        [CommandOption("--min-count-label <N>")]
        [Description("Labels seen fewer times are left out (default 0).")]
        public int MinCountLabel { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Random seed (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--label-field <NAME>")]
        [Description("JSONL field holding the label: a string or an array of strings (default label).")]
        public string LabelField { get; init; } = "label";

        [CommandOption("--text-field <NAME>")]
        [Description("JSONL field holding the text (default text).")]
        public string TextField { get; init; } = "text";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Input.Length == 0) throw new ArgumentException("--input is required");
        var args = new FastTextArgs
        {
            Epoch = settings.Epoch,
            LearningRate = settings.LearningRate,
            WordNgrams = settings.WordNgrams,
            Dim = settings.Dim,
            MinN = settings.MinN,
            MaxN = settings.MaxN,
            Bucket = settings.Bucket,
            Loss = ParseLoss(settings.Loss),
            Negatives = settings.Negatives,
            Threads = settings.Threads ?? Environment.ProcessorCount,
            MinCount = settings.MinCount,
            MinCountLabel = settings.MinCountLabel,
            Seed = settings.Seed,
        };
        var input = new ClassifierTrainingInput(settings.Input, settings.LabelField, settings.TextField);
        var clock = Stopwatch.StartNew();
        int shownTenth = -1;
        var model = ClassifierTraining.Train(input, args, p =>
        {
            // One line per tenth of the way, as a log reads best (fastText redraws one line instead).
            int tenth = (int)(p.Progress * 10);
            if (tenth == shownTenth) return;
            shownTenth = tenth;
            Console.Error.WriteLine($"Progress: {p.Progress * 100,5:F1}% words/sec/thread: {p.TokensPerSecondPerThread,8:F0} lr: {p.LearningRate:F6} avg.loss: {p.AverageLoss:F6}");
        }, cancellation);
        model.Save(Path.GetFullPath(settings.Output));
        Console.Error.WriteLine($"wrote {settings.Output}: {model.Dictionary.WordCount:N0} words, {model.Dictionary.LabelCount:N0} labels, " +
            $"{model.Dictionary.TokenCount:N0} tokens x {args.Epoch} epochs on {args.Threads} threads in {clock.Elapsed.TotalSeconds:F1} s");
        return ExitCodes.Ok;
    }

    /// <summary>fastText's names for the losses (one-vs-all also as ova).</summary>
    public static FastTextLoss ParseLoss(string name) => name switch
    {
        "softmax" => FastTextLoss.Softmax,
        "ns" => FastTextLoss.NegativeSampling,
        "hs" => FastTextLoss.HierarchicalSoftmax,
        "ova" or "one-vs-all" => FastTextLoss.OneVsAll,
        _ => throw new ArgumentException($"--loss '{name}' is not one of softmax, ns, hs, ova"),
    };
}
