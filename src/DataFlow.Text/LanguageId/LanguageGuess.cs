namespace DataFlow.Text.LanguageId;

/// <summary>The detected language as an ISO 639-1 code (null when nothing could be detected) and its confidence, 0..1.</summary>
public readonly record struct LanguageGuess(string? Code, double Score)
{
    public static LanguageGuess Unknown => new(null, 0);
}
