using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Execution;

/// <summary>Hooks through which an executor reports progress (console display, tests).</summary>
public interface IExecutionObserver
{
    void StageStarted(StageDefinition stage, StageManifest manifest, int alreadyDone) { }
    void TaskStarted(TaskContext task) { }
    void TaskFinished(TaskContext task) { }
    void StageFinished(StageDefinition stage, TaskStats stats, TimeSpan elapsed) { }
}
