namespace DataFlow.Engine.Documents;

/// <summary>What a stage does with a bad record: skip it (logged to rejects/) or stop the run.</summary>
public enum OnError
{
    Skip,
    Fail,
}
