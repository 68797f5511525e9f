namespace DataFlow.Engine.Tokens;

/// <summary>The split names a token dataset uses in its manifest.</summary>
public static class TokenSplit
{
    public const string Train = "train";
    public const string Validation = "validation";

    public static void Validate(string split)
    {
        if (split is not (Train or Validation))
            throw new ArgumentException($"split must be '{Train}' or '{Validation}', not '{split}'", nameof(split));
    }
}
