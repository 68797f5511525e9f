namespace DataFlow.Engine.Tokens;

/// <summary>One Parquet shard of a token dataset: its file name (relative to the dataset folder), split, rows and tokens.</summary>
public sealed record TokenShardInfo(string File, string Split, long Rows, long Tokens);
