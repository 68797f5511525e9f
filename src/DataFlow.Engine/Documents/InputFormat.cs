namespace DataFlow.Engine.Documents;

public enum InputFormat
{
    Jsonl,
    Parquet,
    Text,
    /// <summary>Web archives: WARC, WET, ARC (plain or gzip).</summary>
    Warc,
}
