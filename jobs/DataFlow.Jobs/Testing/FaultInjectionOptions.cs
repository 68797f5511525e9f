namespace DataFlow.Jobs.Testing;

/// <summary>Which task fails, how many of its attempts fail, and how long each task lingers.</summary>
public sealed record FaultInjectionOptions(int FailTask, int FailAttempts, bool FailAlways, int SleepMs);
