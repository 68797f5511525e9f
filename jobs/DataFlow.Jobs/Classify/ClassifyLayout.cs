namespace DataFlow.Jobs.Classify;

/// <summary>
/// Names of the engine stages one classify stage becomes. With <c>keep: {top_fraction}</c> the cutoff is corpus-wide,
/// so the stage is three: NAME.scores (each task writes its documents' scores) -> NAME.cutoff (one task finds the
/// exact cutoff) -> NAME (annotate and filter); otherwise NAME alone.
/// </summary>
public sealed record ClassifyLayout(string StageName)
{
    public string Scores => StageName + ".scores";
    public string Cutoff => StageName + ".cutoff";
    public string Filter => StageName;

    public static string ScoreFile(string dir, int task) => Path.Combine(dir, $"scores-{task:D5}.bin");
    public static string CutoffFile(string dir) => Path.Combine(dir, "cutoff.json");

    /// <summary>Record kind of the score files: one float32 per document, in input order.</summary>
    public const string ScoreKind = "classify-score";
}
