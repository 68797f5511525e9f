using System.ComponentModel;
using System.Globalization;
using System.Text;
using DataFlow.Jobs.Classify;
using DataFlow.Text.Classification;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class ClassifierPredictCommand : Command<ClassifierPredictCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <FILE>")]
        [Description("A fastText model (.bin or .ftz).")]
        public string Model { get; init; } = "";

        [CommandOption("-i|--input <FILE>")]
        [Description("One text a line (fastText's format; labels on the line are ignored), or .jsonl with a text field.")]
        public string Input { get; init; } = "";

        [CommandOption("-k|--top-k <N>")]
        [Description("Labels per line, best first (default 1).")]
        public int K { get; init; } = 1;

        [CommandOption("--threshold <P>")]
        [Description("Only labels with at least this probability (default 0).")]
        public float Threshold { get; init; }

        [CommandOption("--text-field <NAME>")]
        public string TextField { get; init; } = "text";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Model.Length == 0 || settings.Input.Length == 0) throw new ArgumentException("--model and --input are required");
        if (settings.K <= 0) throw new ArgumentException($"--k must be at least 1 (got {settings.K})");
        var model = FastTextModel.Load(settings.Model);
        var input = new ClassifierTrainingInput(settings.Input, TextField: settings.TextField);
        if (!File.Exists(input.Path)) throw new FileNotFoundException($"{input.Path} does not exist", input.Path);
        var texts = input.IsJsonLines ? input.ReadTexts() : input.ReadLines();
        using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16);
        var line = new StringBuilder();
        foreach (var text in texts)
        {
            cancellation.ThrowIfCancellationRequested();
            // As `fasttext predict-prob` prints: label and probability pairs on one line (6 significant digits).
            line.Clear();
            foreach (var p in model.Predict(text, settings.K, settings.Threshold))
            {
                if (line.Length > 0) line.Append(' ');
                line.Append(p.Label).Append(' ').Append(FormatProbability(p.Probability));
            }
            stdout.WriteLine(line);
        }
        return ExitCodes.Ok;
    }

    /// <summary>A float as C++'s default stream output writes it (%g with 6 significant digits: 0.998047, 1e-05).</summary>
    public static string FormatProbability(float value) => value.ToString("G6", CultureInfo.InvariantCulture).Replace("E", "e");
}
