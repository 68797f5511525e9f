using System.Text.Json.Serialization;

namespace DataFlow.Engine.Jobs;

/// <summary>
/// Source-generated System.Text.Json metadata for the run folder's own files (stage manifests, task and stage stats,
/// run info), snake_case names, indented, nulls left out: a task
/// process reads a manifest and writes its stats without building serializers by reflection and emitting IL at start-up
/// (docs/scaleout.md "Start-up"). The bytes written are the same as the reflection serializer's.
/// </summary>
[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StageManifest))]
[JsonSerializable(typeof(TaskStats))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class RunJson : JsonSerializerContext;
