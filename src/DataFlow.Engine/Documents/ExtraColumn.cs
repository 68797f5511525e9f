namespace DataFlow.Engine.Documents;

/// <summary>A column a stage adds to the standard four; Type is string, long, int, double or bool.</summary>
public sealed record ExtraColumn(string Name, Type Type)
{
    public static ExtraColumn String(string name) => new(name, typeof(string));
    public static ExtraColumn Int64(string name) => new(name, typeof(long));
    public static ExtraColumn Int32(string name) => new(name, typeof(int));
    public static ExtraColumn Double(string name) => new(name, typeof(double));
    public static ExtraColumn Boolean(string name) => new(name, typeof(bool));
}
