namespace DataFlow.Engine.Documents;

public enum InputFormat
{
    Jsonl,
    Parquet,
    Text,
}
