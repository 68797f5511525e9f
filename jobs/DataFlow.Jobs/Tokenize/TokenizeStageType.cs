using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// <c>type: tokenize</c>. Keys: <c>tokenizer</c> (required: gpt2 | cl100k_base | o200k_base | path of a tokenizer JSON),
/// <c>seq_len</c> (1024), <c>validation_fraction</c> (0.01), <c>seed</c> (0), <c>tasks</c>, <c>shuffle_tasks</c> (= tasks),
/// <c>row_group_rows</c> (256), <c>allow_special_tokens</c> (false: special-token strings in documents are plain text), <c>input</c> (default: previous stage), <c>id_field</c>, <c>text_field</c>, <c>source</c>.
/// Becomes three engine stages: NAME.encode -> NAME.shuffle -> NAME (manifest); the dataset folder is NAME's output.
/// </summary>
public sealed class TokenizeStageType : IStageType
{
    public string Name => "tokenize";
    public string Description => "encode documents, pack rows of seq_len + 1 tokens, split train/validation, shuffle globally into Parquet token shards";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var tasks = section.GetInt("tasks", settings.DefaultTasks, 1, 1_000_000);
        var (tokenizer, fromStage) = ResolveTokenizer(section, settings);
        var options = new TokenizeOptions
        {
            Input = section.GetStringList("input"),
            Tasks = tasks,
            Read = new ReadOptions
            {
                IdField = section.GetString("id_field", "id")!,
                TextField = section.GetString("text_field", "text")!,
                Source = section.GetString("source"),
                KeepMetadata = false,
            },
            Tokenizer = tokenizer,
            TokenizerFromStage = fromStage,
            SeqLen = section.GetInt("seq_len", TokenizeOptions.DefaultSeqLen, 1, 1 << 20),
            AllowSpecialTokens = section.GetBool("allow_special_tokens", false),
            ValidationFraction = section.GetDouble("validation_fraction", TokenizeOptions.DefaultValidationFraction, 0, 1),
            Seed = section.GetLong("seed", 0),
            ShuffleTasks = section.GetInt("shuffle_tasks", tasks, 1, 100_000),
            RowGroupRows = section.GetInt("row_group_rows", TokenShardWriter.DefaultRowGroupRows, 1, 1_000_000),
        };
        var encode = $"{stageName}.encode";
        var shuffle = $"{stageName}.shuffle";
        return
        [
            new StageDefinition(encode, Name, new TokenizeEncodeJob(options)),
            new StageDefinition(shuffle, Name, new TokenizeShuffleJob(options, encode, stageName)),
            new StageDefinition(stageName, Name, new TokenizeManifestJob(options, encode, shuffle)),
        ];
    }

    /// <summary>A known name, an existing file, or (checked when planning) the name of an earlier tokenizer_train stage.</summary>
    private static (string Tokenizer, bool FromStage) ResolveTokenizer(ConfigSection section, PipelineSettings settings)
    {
        var value = section.GetString("tokenizer")
            ?? throw section.Error("tokenizer", "required: gpt2, cl100k_base, o200k_base, the path of a tokenizer JSON file, or an earlier tokenizer_train stage");
        try
        {
            return (TokenizerReference.Resolve(value, settings.BaseDir), false);
        }
        catch (FileNotFoundException e)
        {
            var couldBeStage = value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                               && !value.EndsWith("json", StringComparison.OrdinalIgnoreCase);
            if (!couldBeStage) throw section.Error("tokenizer", e.Message);
            return (value, true);
        }
    }
}
