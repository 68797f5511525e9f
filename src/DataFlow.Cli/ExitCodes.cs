namespace DataFlow.Cli;

/// <summary>Process exit codes, documented in the README so schedulers can act on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int TaskFailed = 1;
    public const int BadConfig = 2;
    public const int BadInput = 3;
    public const int Cancelled = 130;
}
