namespace DataFlow.Engine.Records;

/// <summary>A verified header and run table of a record file.</summary>
public sealed record RecordFileInfo(string Path, int RecordSize, string Kind, IReadOnlyList<RecordRun> Runs)
{
    public long RecordCount => Runs.Sum(r => r.Count);
}
