using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Testing;

/// <summary>
/// Test fixture for executors (retries, failure reports, cancellation): a pass-through document stage that fails
/// on purpose. Keys: the document stage keys, plus <c>fail_task</c> (-1 = none), <c>fail_attempts</c> (1),
/// <c>fail_always</c> (false), <c>sleep_ms</c> (0, per task, to make runs long enough to cancel).
/// </summary>
public sealed class FaultInjectionStageType : IStageType
{
    public string Name => "fault_injection";
    public string Description => "testing only: pass documents through; a chosen task fails on purpose (executor retry/failure tests)";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var faults = new FaultInjectionOptions(
            section.GetInt("fail_task", -1, -1),
            section.GetInt("fail_attempts", 1, 0),
            section.GetBool("fail_always", false),
            section.GetInt("sleep_ms", 0, 0, 600_000));
        return [new StageDefinition(stageName, Name, new FaultInjectionJob(DocumentStageConfig.Read(section, settings), faults))];
    }
}
