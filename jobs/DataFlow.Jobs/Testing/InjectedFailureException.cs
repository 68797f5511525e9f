namespace DataFlow.Jobs.Testing;

/// <summary>The failure a <c>fault_injection</c> stage raises on purpose.</summary>
public sealed class InjectedFailureException(string message) : Exception(message);
