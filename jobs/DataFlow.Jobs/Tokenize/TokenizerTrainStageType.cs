using DataFlow.Engine.Config;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// <c>type: tokenizer_train</c>. Keys: <c>vocab_size</c> (32768), <c>special_tokens</c> (list; default end of text, pad and chat roles),
/// <c>pattern</c> (cl100k | gpt2 | regex), <c>max_word_types</c> (2000000), <c>max_mb</c> (all), <c>character_level</c> (false),
/// <c>input</c> (default: previous stage's shards), <c>text_field</c>. Writes OUT/tokenizer.json; a later stage uses it with
/// <c>tokenizer: NAME</c> (this stage's name).
/// </summary>
public sealed class TokenizerTrainStageType : IStageType
{
    public string Name => "tokenizer_train";
    public string Description => "train a byte-level BPE (or character) tokenizer on the documents; writes tokenizer.json for a later tokenize stage";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var defaults = new BpeTrainerOptions();
        var bpe = new BpeTrainerOptions
        {
            VocabSize = section.GetInt("vocab_size", defaults.VocabSize, 257, 1 << 24),
            SpecialTokens = section.GetStringList("special_tokens") ?? defaults.SpecialTokens,
            PreTokenizerPattern = TokenizerTraining.PatternFor(section.GetString("pattern", "cl100k")!),
            MaxWordTypes = section.GetInt("max_word_types", defaults.MaxWordTypes, 1000, int.MaxValue),
        };
        try
        {
            bpe.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigException($"{section.File}:{section.Line}: stage '{stageName}': {e.Message}");
        }
        var maxMb = section.GetDouble("max_mb", 0, 0, 1e9);
        var training = new TokenizerTraining.Settings
        {
            Bpe = bpe,
            Read = new ReadOptions { TextField = section.GetString("text_field", "text")!, KeepMetadata = false },
            MaxBytes = maxMb > 0 ? (long)(maxMb * 1e6) : null,
            CharacterLevel = section.GetBool("character_level", false),
        };
        return [new StageDefinition(stageName, Name, new TokenizerTrainJob(training, section.GetStringList("input")))];
    }
}
