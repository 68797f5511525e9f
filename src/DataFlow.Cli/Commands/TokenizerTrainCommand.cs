using System.ComponentModel;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs.Tokenize;
using DataFlow.Text.Tokenization;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class TokenizerTrainCommand : Command<TokenizerTrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-i|--input <GLOB>")]
        [Description("Training text (repeatable): .parquet, .jsonl, .jsonl.gz, .jsonl.zst, text.")]
        public string[] Input { get; init; } = [];

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the tokenizer (Hugging Face tokenizer.json format).")]
        public string Output { get; init; } = "tokenizer.json";

        [CommandOption("--vocab-size <N>")]
        [Description("Total ids: 256 bytes + merges + special tokens (default 32768).")]
        public int VocabSize { get; init; } = 32_768;

        [CommandOption("--special <TOKEN>")]
        [Description("Special tokens (repeatable; default <|endoftext|> <|pad|> <|system|> <|user|> <|assistant|> <|end|>).")]
        public string[] Special { get; init; } = [];

        [CommandOption("--pattern <gpt2|cl100k|REGEX>")]
        [Description("Pre-tokenization regex (default cl100k: GPT-4 style, newline runs and 1-3 digit groups).")]
        public string Pattern { get; init; } = "cl100k";

        [CommandOption("--max-mb <N>")]
        [Description("Read at most N MB of text.")]
        public double? MaxMegabytes { get; init; }

        [CommandOption("--max-word-types <N>")]
        [Description("Cap on distinct words held while counting (default 2000000).")]
        public int? MaxWordTypes { get; init; }

        [CommandOption("--text-field <NAME>")]
        public string? TextField { get; init; }

        [CommandOption("--char")]
        [Description("Character-level tokenizer (one id per character seen) instead of byte-level BPE.")]
        public bool CharacterLevel { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Input.Length == 0) throw new ArgumentException("--input is required");
        var settingsForTraining = new TokenizerTraining.Settings
        {
            Bpe = new BpeTrainerOptions
            {
                VocabSize = settings.VocabSize,
                SpecialTokens = settings.Special.Length > 0 ? settings.Special : SpecialTokens.Default,
                PreTokenizerPattern = TokenizerTraining.PatternFor(settings.Pattern),
                MaxWordTypes = settings.MaxWordTypes ?? new BpeTrainerOptions().MaxWordTypes,
            },
            Read = new ReadOptions { TextField = settings.TextField ?? "text", KeepMetadata = false },
            MaxBytes = settings.MaxMegabytes is { } mb ? (long)(mb * 1e6) : null,
            CharacterLevel = settings.CharacterLevel,
        };
        var files = InputGlob.Expand(settings.Input, Directory.GetCurrentDirectory());
        var rejects = new CountingRejects();
        var result = TokenizerTraining.Train(files, settingsForTraining, rejects, message => Console.Error.WriteLine(message), cancellation);
        AtomicFile.WriteAllText(Path.GetFullPath(settings.Output), result.Json);
        Console.Error.WriteLine(
            $"wrote {settings.Output}: vocab {result.VocabSize:N0} from {result.Documents:N0} documents, {result.Bytes / 1e6:F1} MB; " +
            $"{result.WordTypes:N0} word types ({result.PrunedWordTypes:N0} pruned), {rejects.Count} bad records skipped; " +
            $"counting {result.CountTime.TotalSeconds:F1} s, merges {result.MergeTime.TotalSeconds:F1} s, peak RSS {result.PeakRssBytes / 1e6:F0} MB");
        return ExitCodes.Ok;
    }

    private sealed class CountingRejects : IRejectSink
    {
        public long Count { get; private set; }
        public void Reject(Reject reject) => Count++;
    }
}
