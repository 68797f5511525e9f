namespace DataFlow.Text.Chat;

/// <summary>A parsed preference record, or the reason it is bad (exactly one is set).</summary>
public readonly record struct PreferenceParseResult(PreferencePair? Pair, string? Problem)
{
    public static PreferenceParseResult Ok(PreferencePair pair) => new(pair, null);
    public static PreferenceParseResult Bad(string problem) => new(null, problem);
}
