namespace DataFlow.Engine.Records;

/// <summary>One sorted run inside a record file: where its records start, how many, and the XxHash64 of their bytes.</summary>
public sealed record RecordRun(long Offset, long Count, ulong Checksum);
