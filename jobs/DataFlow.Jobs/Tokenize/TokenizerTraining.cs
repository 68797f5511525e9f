using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// Trains a tokenizer from document files (any format ingest reads): byte-level BPE through <see cref="ByteLevelBpeTrainer"/>,
/// or a character vocabulary. Used by <c>dataflow tokenizer train</c> and the <c>tokenizer_train</c> stage.
/// </summary>
public static class TokenizerTraining
{
    public sealed record Settings
    {
        public BpeTrainerOptions Bpe { get; init; } = new();
        public ReadOptions Read { get; init; } = new() { KeepMetadata = false };
        /// <summary>Stop reading after this many UTF-8 bytes of text (null: read everything).</summary>
        public long? MaxBytes { get; init; }
        /// <summary>Train a character tokenizer instead of byte-level BPE (its vocabulary is then whatever the text holds).</summary>
        public bool CharacterLevel { get; init; }
    }

    public sealed record Result(string Json, long Documents, long Bytes, int VocabSize, int WordTypes, long PrunedWordTypes,
        TimeSpan CountTime, TimeSpan MergeTime, long PeakRssBytes);

    public static Result Train(IReadOnlyList<string> files, Settings settings, IRejectSink rejects, Action<string>? log = null,
        CancellationToken cancellation = default)
    {
        var bpe = settings.CharacterLevel ? null : new ByteLevelBpeTrainer(settings.Bpe);
        var characters = new HashSet<Rune>();
        long documents = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            if (settings.MaxBytes is { } limit && bytes >= limit) break;
            foreach (var doc in DocumentSources.Read(file, settings.Read, rejects))
            {
                cancellation.ThrowIfCancellationRequested();
                if (settings.MaxBytes is { } max && bytes >= max) break;
                documents++;
                bytes += Encoding.UTF8.GetByteCount(doc.Text);
                if (bpe is not null) bpe.AddText(doc.Text);
                else foreach (var rune in doc.Text.EnumerateRunes()) characters.Add(rune);
                if (documents % 1000 == 0) log?.Invoke($"read {documents:N0} documents, {bytes / 1e6:F1} MB");
            }
        }
        if (documents == 0) throw new InvalidOperationException($"no documents to train a tokenizer on in {string.Join(", ", files)}");
        var countTime = clock.Elapsed;
        log?.Invoke($"counted {documents:N0} documents, {bytes / 1e6:F1} MB in {countTime.TotalSeconds:F1} s");

        clock.Restart();
        string json;
        int vocabSize;
        if (bpe is not null)
        {
            var model = bpe.Train(merges => { if (merges % 4000 == 0) log?.Invoke($"{merges:N0} merges"); });
            json = HuggingFaceTokenizerJson.Write(model);
            vocabSize = model.VocabSize;
        }
        else
        {
            var tokenizer = new CharacterTokenizer(characters, settings.Bpe.SpecialTokens);
            json = tokenizer.ToJson();
            vocabSize = tokenizer.VocabSize;
        }
        return new Result(json, documents, bytes, vocabSize, bpe?.WordTypes ?? characters.Count, bpe?.PrunedWordTypes ?? 0,
            countTime, clock.Elapsed, Process.GetCurrentProcess().PeakWorkingSet64);
    }

    /// <summary>The pre-tokenizer regex for a setting: <c>cl100k</c>, <c>gpt2</c>, or a regex of its own.</summary>
    public static string PatternFor(string setting) => setting switch
    {
        "cl100k" => PreTokenizerPatterns.Cl100k,
        "gpt2" => PreTokenizerPatterns.Gpt2,
        _ => setting,
    };
}
