using System.Text.Json;
using System.Text.Json.Serialization;
using DataFlow.Engine.Jobs;

namespace DataFlow.Engine.Tokens;

/// <summary>
/// <c>manifest.json</c> of a token dataset folder: how the tokens were made and which Parquet shards hold them.
/// Every shard row is exactly <see cref="RowLength"/> = seq_len + 1 tokens (inputs are row[0..seq_len), targets row[1..seq_len]).
/// </summary>
public sealed record TokenDatasetManifest
{
    public const string FileName = "manifest.json";
    public const int CurrentFormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>Tokenizer name (gpt2, cl100k_base, ...) or the path of its tokenizer.json.</summary>
    public required string Tokenizer { get; init; }
    public required int VocabSize { get; init; }
    public required int SeqLen { get; init; }
    /// <summary>End-of-text token that separates documents inside rows.</summary>
    public required int EosId { get; init; }
    /// <summary>Padding token if the tokenizer has one; rows are fully packed, so it only appears if a producer pads.</summary>
    public int? PadId { get; init; }
    /// <summary>Name of the Parquet list&lt;int32&gt; column holding each row.</summary>
    public string Column { get; init; } = TokenShardWriter.ColumnName;
    /// <summary>Seed of the global shuffle the rows were written in, if they were shuffled.</summary>
    public long? ShuffleSeed { get; init; }
    public IReadOnlyList<TokenShardInfo> Shards { get; init; } = [];
    public IReadOnlyList<TokenSourceCount> SourceTokens { get; init; } = [];

    [JsonIgnore] public int RowLength => SeqLen + 1;

    public IEnumerable<TokenShardInfo> ShardsOf(string split) => Shards.Where(s => s.Split == split);
    public long RowsOf(string split) => ShardsOf(split).Sum(s => s.Rows);
    public long TokensOf(string split) => ShardsOf(split).Sum(s => s.Tokens);

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public static TokenDatasetManifest Load(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no token dataset manifest", path);
        TokenDatasetManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<TokenDatasetManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: corrupt token dataset manifest ({e.Message})", e);
        }
        if (manifest.FormatVersion != CurrentFormatVersion)
            throw new InvalidDataException($"{path}: format_version {manifest.FormatVersion}, this build reads {CurrentFormatVersion}");
        if (manifest.SeqLen <= 0) throw new InvalidDataException($"{path}: seq_len must be positive");
        return manifest;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Writes <c>directory/manifest.json</c> atomically.</summary>
    public void Save(string directory) => AtomicFile.WriteAllText(PathIn(directory), ToJson());
}
