using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Testing;

/// <summary>
/// Passes documents through unchanged, but task <c>fail_task</c> throws on its first <c>fail_attempts</c>
/// attempts (or always). Attempts are counted in RUN/stages/NAME/fault-injection/task-0000i.attempts, a file
/// outside the task's planned outputs on purpose: it must survive the failed attempts it counts.
/// </summary>
public sealed class FaultInjectionJob(DocumentStageOptions options, FaultInjectionOptions faults) : DocumentStageJob(options)
{
    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        if (faults.SleepMs > 0) context.Cancellation.WaitHandle.WaitOne(faults.SleepMs);
        if (context.Index == faults.FailTask)
        {
            var counter = Path.Combine(context.Run.StageDir(context.Stage.Name), "fault-injection", $"task-{context.Index:D5}.attempts");
            Directory.CreateDirectory(Path.GetDirectoryName(counter)!);
            var previous = File.Exists(counter) ? File.ReadAllLines(counter).Length : 0;
            File.AppendAllText(counter, DateTime.UtcNow.ToString("O") + "\n");
            if (faults.FailAlways || previous < faults.FailAttempts)
                throw new InjectedFailureException($"fault_injection: task {context.Index} fails on purpose (attempt {previous + 1})");
        }
        return new PassThrough();
    }

    private sealed class PassThrough : IDocumentProcessor
    {
        public DocumentVerdict Process(Engine.Documents.Document document) => DocumentVerdict.Keep;
    }
}
