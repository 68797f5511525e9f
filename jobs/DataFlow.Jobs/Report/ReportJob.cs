using DataFlow.Engine.Jobs;
using DataFlow.Report;
using DataFlow.Text.Pii;

namespace DataFlow.Jobs.Report;

/// <summary>
/// Writes the run's HTML report (RUN/report/index.html) as the last stage of a pipeline. One task; it reads only
/// what earlier stages recorded (stats, metrics, samples, eval), with all shown text masked for PII.
/// </summary>
public sealed class ReportJob : IStageJob
{
    public int MaxParallelTasks => 1;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context) =>
        [new TaskPlan(0, [], [Path.Combine(context.OutputDir, "report.txt")])];

    public void Run(TaskContext context)
    {
        var session = RunSession.Open(context.Run.Root);
        var index = Write(session);
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), index + "\n");
    }

    /// <summary>Builds the report of any run folder (also used by `dataflow report`).</summary>
    public static string Write(RunSession session, string? outputDir = null) =>
        new RunReport(session.Run, session.Pipeline, text => PiiMask.ForDisplay(text)).Write(outputDir);
}
