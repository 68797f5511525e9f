namespace DataFlow.Text.LanguageId;

/// <summary>
/// Names a document's language: Lingua (<see cref="LanguageIdentifier"/>, the default) or a fastText model
/// (<see cref="FastTextLanguageIdentifier"/>). One instance serves one thread at a time.
/// </summary>
public interface ILanguageIdentifier
{
    /// <summary>The codes this identifier can answer among the candidates (ISO 639-1 where one exists).</summary>
    IReadOnlyCollection<string> Codes { get; }

    LanguageGuess Identify(string text);
}
