namespace DataFlow.Engine.Jobs;

/// <summary>The stage types a pipeline may name; jobs register theirs.</summary>
public sealed class StageCatalog
{
    private readonly Dictionary<string, IStageType> _types = new(StringComparer.Ordinal);

    public StageCatalog Add(IStageType type)
    {
        _types[type.Name] = type;
        return this;
    }

    public IEnumerable<IStageType> Types => _types.Values.OrderBy(t => t.Name, StringComparer.Ordinal);

    public IStageType? Find(string name) => _types.GetValueOrDefault(name);
}
