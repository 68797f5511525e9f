namespace DataFlow.Trainer.Distributed;

/// <summary>An MPI call returned an error code; the message is Open MPI's own text for it.</summary>
public sealed class MpiException(string call, int code, string text) : Exception($"{call} failed with MPI error {code}: {text}")
{
    public int Code { get; } = code;
}
