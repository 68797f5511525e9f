using System.Diagnostics;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// <c>dataflow tokenizer train</c>: streams documents from input files (any format ingest reads) through a
/// <see cref="ByteLevelBpeTrainer"/> or a character vocabulary and writes the tokenizer JSON atomically.
/// </summary>
public static class TokenizerTraining
{
    public sealed record Result(long Documents, long Bytes, int VocabSize, int WordTypes, long PrunedWordTypes,
        long RejectedRecords, TimeSpan CountTime, TimeSpan MergeTime, long PeakRssBytes);

    /// <param name="maxBytes">Stop reading after this many UTF-8 bytes of text (null: read everything).</param>
    /// <param name="characterLevel">Train a character tokenizer instead of byte-level BPE (vocab size is then what the text has).</param>
    public static Result Run(IReadOnlyList<string> inputPatterns, string baseDir, string output, BpeTrainerOptions options,
        ReadOptions read, long? maxBytes, bool characterLevel, Action<string>? log = null)
    {
        var files = InputGlob.Expand(inputPatterns, baseDir);
        var rejects = new CountingRejects();
        var bpe = characterLevel ? null : new ByteLevelBpeTrainer(options);
        var characters = new HashSet<Rune>();
        long documents = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        foreach (var file in files)
        {
            foreach (var doc in DocumentSources.Read(file, read, rejects))
            {
                if (maxBytes is { } max && bytes >= max) break;
                documents++;
                bytes += Encoding.UTF8.GetByteCount(doc.Text);
                if (bpe is not null) bpe.AddText(doc.Text);
                else foreach (var rune in doc.Text.EnumerateRunes()) characters.Add(rune);
                if (documents % 1000 == 0) log?.Invoke($"read {documents:N0} documents, {bytes / 1e6:F1} MB");
            }
        }
        if (documents == 0) throw new InvalidOperationException($"no documents in {string.Join(", ", inputPatterns)}");
        var countTime = clock.Elapsed;
        log?.Invoke($"counted {documents:N0} documents, {bytes / 1e6:F1} MB in {countTime.TotalSeconds:F1} s; learning merges");

        clock.Restart();
        string json;
        int vocabSize;
        if (bpe is not null)
        {
            var model = bpe.Train(merges => { if (merges % 2000 == 0) log?.Invoke($"{merges:N0} merges"); });
            json = HuggingFaceTokenizerJson.Write(model);
            vocabSize = model.VocabSize;
        }
        else
        {
            var tokenizer = new CharacterTokenizer(characters, options.SpecialTokens);
            json = tokenizer.ToJson();
            vocabSize = tokenizer.VocabSize;
        }
        var mergeTime = clock.Elapsed;
        AtomicFile.WriteAllText(Path.GetFullPath(output, baseDir), json);
        return new Result(documents, bytes, vocabSize, bpe?.WordTypes ?? characters.Count, bpe?.PrunedWordTypes ?? 0,
            rejects.Count, countTime, mergeTime, Process.GetCurrentProcess().PeakWorkingSet64);
    }

    private sealed class CountingRejects : IRejectSink
    {
        public long Count { get; private set; }
        public void Reject(Reject reject) => Count++;
    }
}
