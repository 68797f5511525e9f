namespace DataFlow.Engine.Jobs;

/// <summary>The fixed inputs and outputs of one task, recorded in the stage manifest so a rerun maps the same inputs to the same task.</summary>
public sealed record TaskPlan(int Index, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);
