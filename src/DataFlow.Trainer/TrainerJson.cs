using System.Text.Json;

namespace DataFlow.Trainer;

/// <summary>JSON settings for configs and state written beside checkpoints: snake_case, indented, readable by humans.</summary>
public static class TrainerJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };
}
