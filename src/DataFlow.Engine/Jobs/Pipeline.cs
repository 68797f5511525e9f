namespace DataFlow.Engine.Jobs;

/// <summary>An ordered list of stages plus executor settings; built and validated before any work starts.</summary>
public sealed record Pipeline(IReadOnlyList<StageDefinition> Stages, PipelineSettings Settings)
{
    public int IndexOf(string stage)
    {
        for (var i = 0; i < Stages.Count; i++)
            if (Stages[i].Name == stage) return i;
        return -1;
    }

    public StageDefinition Stage(string name) =>
        IndexOf(name) is var i and >= 0 ? Stages[i]
            : throw new ArgumentException($"no stage named '{name}' (stages: {string.Join(", ", Stages.Select(s => s.Name))})");
}
