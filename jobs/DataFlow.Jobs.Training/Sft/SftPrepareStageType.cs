using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Model;
using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// <c>type: sft_prepare</c>. Keys: <c>input</c> (required: JSONL files, folders, globs), <c>tasks</c> (pipeline default),
/// <c>format</c> (auto | alpaca | messages | share_gpt | prompt_completion | gsm8k), <c>loss_on</c>
/// (assistant_only | last_assistant | all), <c>max_tokens</c> (128), <c>layout</c> (padded | packed), <c>row_group_rows</c> (1024);
/// <c>on_error</c> (skip | fail) is the engine's.
/// </summary>
public sealed class SftPrepareStageType : IStageType
{
    public string Name => "sft_prepare";
    public string Description => "chat JSONL (alpaca, messages, sharegpt, prompt/completion, gsm8k) -> templated, tokenized Parquet SFT shards with a loss mask";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var input = section.GetStringList("input");
        if (input is null || input.Count == 0) throw section.Error("input", "required: the chat JSONL files (files, folders or globs)");
        var options = new SftPrepareOptions
        {
            Input = input,
            Tasks = section.GetInt("tasks", settings.DefaultTasks, 1, 1_000_000),
            Format = section.GetEnum("format", ChatFormat.Auto),
            LossOn = ReadLossOn(section),
            MaxTokens = section.GetInt("max_tokens", SftPrepareOptions.DefaultMaxTokens, 2, 1 << 20),
            Layout = section.GetEnum("layout", SftShardLayout.Padded),
            RowGroupRows = section.GetInt("row_group_rows", 1024, 1, 1_000_000),
            Tokenizer = ReadTokenizer(section, settings),
        };
        return [new StageDefinition(stageName, Name, new SftPrepareJob(options))];
    }

    private static string ReadTokenizer(ConfigSection section, PipelineSettings settings)
    {
        var value = section.GetString("tokenizer") ?? "bytes";
        if (value == ByteTextTokenizer.KnownName || KnownTokenizers.IsKnown(value)) return value;
        var path = settings.Resolve(value);
        if (!File.Exists(path) && !ModelTokenizer.Exists(path))
            throw section.Error("tokenizer", $"'{value}' is neither a known tokenizer ({string.Join(", ", KnownTokenizers.Names)}, bytes), a tokenizer JSON file, nor a model folder with {ModelTokenizer.ConfigFile}");
        return path;
    }

    private static LossTarget ReadLossOn(ConfigSection section) => section.GetString("loss_on")?.ToLowerInvariant() switch
    {
        null or "assistant_only" => LossTarget.AssistantOnly,
        "last_assistant" => LossTarget.LastAssistant,
        "all" or "all_tokens" => LossTarget.AllTokens,
        var other => throw section.Error("loss_on", $"expected assistant_only, last_assistant or all, got '{other}'"),
    };
}
