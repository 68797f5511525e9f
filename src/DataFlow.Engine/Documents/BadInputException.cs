namespace DataFlow.Engine.Documents;

/// <summary>Bad input under on_error: fail. The message names the file and line.</summary>
public sealed class BadInputException(Reject reject) : Exception($"bad input at {reject.Location}: {reject.Reason}")
{
    public Reject Reject { get; } = reject;
}
