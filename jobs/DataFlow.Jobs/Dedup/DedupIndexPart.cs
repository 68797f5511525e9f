using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// The manifest of one part of a dedup index (<c>part-IIIII.json</c>): the versions and configuration the records
/// were made under, the part count (so a missing part is noticed), the documents the part indexes, the indexes its
/// run was itself deduplicated against, and each record file with its size and checksum.
/// </summary>
public sealed record DedupIndexPart
{
    public int FormatVersion { get; init; }
    public int FingerprintVersion { get; init; }
    public int Part { get; init; }
    public int Parts { get; init; }
    public long Documents { get; init; }
    public SortedDictionary<string, string> Config { get; init; } = [];
    public IReadOnlyList<string> Against { get; init; } = [];
    public IReadOnlyList<DedupIndexFile> Files { get; init; } = [];

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string FileName(int part) => $"part-{part:D5}.json";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DedupIndexPart Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DedupIndexPart>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: corrupt dedup index: empty part manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt dedup index: unreadable part manifest ({e.Message})", e);
        }
    }
}
