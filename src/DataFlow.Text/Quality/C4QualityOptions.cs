namespace DataFlow.Text.Quality;

/// <summary>
/// Switches of the C4 line cleaning and page filter (Raffel et al. 2020, section 2.2, and the tfds c4_utils code
/// it cites). Defaults are the published ones; -1 disables a count.
/// </summary>
public sealed record C4QualityOptions
{
    /// <summary>Remove citation markers "[1]", "[]", "[edit]", "[citation needed]" from lines.</summary>
    public bool RemoveCitations { get; init; } = true;

    /// <summary>Keep only lines ending in one of <see cref="TerminalPunctuation"/> (and not in "...").</summary>
    public bool FilterNoTerminalPunctuation { get; init; } = true;

    /// <summary>Characters that end a kept line; C4 uses . ? ! " ' (add 。！？ for Chinese and Japanese).</summary>
    public string TerminalPunctuation { get; init; } = ".?!\"'";

    /// <summary>Drop the page when fewer sentences remain after line cleaning.</summary>
    public int MinSentences { get; init; } = 5;

    /// <summary>Words as counted by the shared word splitter (CJK characters count one each).</summary>
    public int MinWordsPerLine { get; init; } = 3;

    /// <summary>Drop lines containing a whitespace-separated word longer than this.</summary>
    public int MaxWordLength { get; init; } = 1000;

    public bool FilterLoremIpsum { get; init; } = true;
    public bool FilterJavascript { get; init; } = true;
    public bool FilterCurlyBracket { get; init; } = true;

    /// <summary>Drop lines with "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies".</summary>
    public bool FilterPolicy { get; init; } = true;
}
