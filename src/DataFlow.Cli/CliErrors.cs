using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using Spectre.Console.Cli;

namespace DataFlow.Cli;

/// <summary>Turns exceptions into one clear message on stderr and a meaningful exit code.</summary>
public static class CliErrors
{
    public static int Run(Func<int> body, CancellationToken cancellation)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Unwrap(e) is var inner && Classify(inner, cancellation) is { } code)
        {
            Console.Error.WriteLine(code == ExitCodes.Cancelled ? "cancelled; rerun the same command to resume" : $"error: {Describe(inner)}");
            return code;
        }
    }

    private static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;

    private static int? Classify(Exception e, CancellationToken cancellation) => e switch
    {
        OperationCanceledException when cancellation.IsCancellationRequested => ExitCodes.Cancelled,
        ConfigException or CommandParseException or CommandRuntimeException => ExitCodes.BadConfig,
        TaskFailedException { InnerException: BadInputException } or BadInputException => ExitCodes.BadInput,
        TaskFailedException => ExitCodes.TaskFailed,
        FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or ArgumentException => ExitCodes.BadConfig,
        _ => ExitCodes.TaskFailed,
    };

    private static string Describe(Exception e) => e switch
    {
        TaskFailedException { InnerException: BadInputException bad } t => $"stage '{t.Stage}' task {t.Index}: {bad.Message}",
        _ => e.Message,
    };
}
