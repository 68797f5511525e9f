namespace DataFlow.Text.Quality;

/// <summary>What a rule decided: keep, or drop with a named reason such as "gopher_quality.too_few_words".</summary>
public readonly record struct RuleVerdict(string? DropReason)
{
    public static RuleVerdict Keep => default;

    public static RuleVerdict Drop(string reason) => new(reason);

    public bool IsKept => DropReason is null;

    public override string ToString() => DropReason is null ? "keep" : $"drop ({DropReason})";
}
