using System.ComponentModel;
using System.Globalization;
using DataFlow.Jobs.Classify;
using DataFlow.Text.Classification;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ClassifierTestCommand : Command<ClassifierTestCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <FILE>")]
        [Description("A fastText model (.bin or .ftz).")]
        public string Model { get; init; } = "";

        [CommandOption("-i|--input <FILE>")]
        [Description("Labelled examples, as for `classifier train` (.jsonl or fastText's format).")]
        public string Input { get; init; } = "";

        [CommandOption("-k|--top-k <N>")]
        [Description("Predictions per example (default 1).")]
        public int K { get; init; } = 1;

        [CommandOption("--threshold <P>")]
        [Description("Only predictions with at least this probability count (default 0).")]
        public float Threshold { get; init; }

        [CommandOption("--label-field <NAME>")]
        public string LabelField { get; init; } = "label";

        [CommandOption("--text-field <NAME>")]
        public string TextField { get; init; } = "text";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Model.Length == 0 || settings.Input.Length == 0) throw new ArgumentException("--model and --input are required");
        var model = FastTextModel.Load(settings.Model);
        var result = ClassifierTraining.Test(model, new ClassifierTrainingInput(settings.Input, settings.LabelField, settings.TextField), settings.K, settings.Threshold);
        // As `fasttext test` prints them: three significant digits.
        Console.WriteLine($"N\t{result.Examples}");
        Console.WriteLine($"P@{result.K}\t{result.Precision.ToString("G3", CultureInfo.InvariantCulture)}");
        Console.WriteLine($"R@{result.K}\t{result.Recall.ToString("G3", CultureInfo.InvariantCulture)}");
        return ExitCodes.Ok;
    }
}
