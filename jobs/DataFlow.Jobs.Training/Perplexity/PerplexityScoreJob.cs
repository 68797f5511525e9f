using System.Globalization;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Scoring;
using DataFlow.Trainer.Sft;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Jobs.Training.Perplexity;

/// <summary>
/// Scores every document with the model (its own tokenizer; <see cref="DocumentScorer"/>) and writes columns
/// <c>perplexity</c> (per token) and <c>perplexity_per_char</c>; drops empty documents (<c>perplexity.empty</c>) and,
/// with max_perplexity, those above it (<c>perplexity.too_high</c>). When buckets follow, each task also writes the scores
/// of its documents to OUT/scores/part-NNNNN.bin (checksummed <see cref="PerplexityScoreRecord"/>s) for the corpus-wide percentiles. Counters:
/// <c>perplexity_histogram.EDGE</c> (half-octave bins of the filtering perplexity), tokens and characters scored,
/// documents cut at max_tokens. One task at a time per process: the forward pass uses every core.
/// </summary>
public sealed class PerplexityScoreJob(PerplexityOptions options) : DocumentStageJob(options.Documents), IStageJob
{
    public int MaxParallelTasks => 1;

    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } =
        [ExtraColumn.Double(options.Column), ExtraColumn.Double(options.CharColumn)];

    protected override int SideInputCount => 1;

    protected override IReadOnlyList<string> SideInputs(PlanContext context) =>
        [options.Model.ResolveModel(context) ?? throw new InvalidOperationException($"stage '{context.Stage.Name}': 'model' is required")];

    public static string ScoresFile(string outputDir, int index) => Path.Combine(outputDir, "scores", $"part-{index:D5}.bin");

    public override IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var plans = base.Plan(context);
        if (options.Buckets is null) return plans;
        return plans.Select(p => p with { Outputs = [.. p.Outputs, ScoresFile(context.OutputDir, p.Index)] }).ToList();
    }

    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        TorchRuntime.EnsureInitialized();
        TorchRuntime.SetThreads(options.Threads);
        var folder = SideInputsOf(context)[0];
        var (model, tokenizer) = Load(folder);
        var scores = options.Buckets is null ? null : new RecordFileWriter<PerplexityScoreRecord>(context.CreateOutput(context.Plan.Outputs[^1]), PerplexityScoreRecord.Kind);
        return new Processor(options, model, tokenizer, scores);
    }

    /// <summary>The model folder's transformer and its own tokenizer; errors name the key and the folder.</summary>
    public static (Transformer Model, ChatTokenizer Tokenizer) Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"perplexity: model '{folder}' does not exist (key 'model': an earlier training stage or a model folder)");
        if (!File.Exists(Path.Combine(folder, ModelWeights.ConfigFile)) || !File.Exists(Path.Combine(folder, ModelWeights.WeightsFile)))
            throw new InvalidDataException($"perplexity: model '{folder}' is not a model folder (key 'model': it needs {ModelWeights.ConfigFile} and {ModelWeights.WeightsFile})");
        ChatTokenizer tokenizer;
        try
        {
            tokenizer = ModelTokenizer.Load(folder);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"perplexity: key 'model': {e.Message}", e);
        }
        var config = ModelWeights.LoadConfig(folder);
        // A pretrained model holds the base vocabulary only; plain text never needs the chat rows.
        ModelTokenizer.Check(config, $"perplexity: key 'model': {folder}/{ModelWeights.ConfigFile}", tokenizer, $"its {ModelTokenizer.ConfigFile}", allowGrowth: true);
        return (ModelWeights.LoadTransformer(folder), tokenizer);
    }

    /// <summary>The lower edge of the half-octave bin holding <paramref name="perplexity"/> (1, 1.414, 2, 2.828, 4, ...).</summary>
    public static string HistogramBin(double perplexity)
    {
        var edge = Math.Pow(2, Math.Floor(2 * Math.Log2(Math.Max(perplexity, 1e-9))) / 2);
        return edge.ToString("G4", CultureInfo.InvariantCulture);
    }

    private sealed class Processor(PerplexityOptions options, Transformer model, ChatTokenizer tokenizer, RecordFileWriter<PerplexityScoreRecord>? scores) : IDocumentProcessor
    {
        private readonly DocumentScorer _scorer = new(model, tokenizer.EndOfTextId,
            options.MaxTokens > 0 ? options.MaxTokens : model.Config.ContextLength, options.BatchTokens);
        private readonly Dictionary<string, long> _histogram = new(StringComparer.Ordinal);
        private long _tokens, _chars, _truncated;

        public int BatchSize => options.BatchDocuments;

        public DocumentVerdict Process(Document document)
        {
            var verdict = new DocumentVerdict[1];
            ProcessBatch([document], verdict);
            return verdict[0];
        }

        public void ProcessBatch(IReadOnlyList<Document> documents, Span<DocumentVerdict> verdicts)
        {
            var ids = new int[documents.Count][];
            var truncated = new bool[documents.Count];
            var list = new List<int>();
            for (var i = 0; i < documents.Count; i++)
            {
                list.Clear();
                tokenizer.Encode(documents[i].Text, list);
                // Only the budget is kept: a batch of whole books would otherwise hold every token of every book.
                truncated[i] = list.Count > _scorer.MaxTokens;
                ids[i] = truncated[i] ? list.GetRange(0, _scorer.MaxTokens).ToArray() : list.ToArray();
            }
            var losses = _scorer.Score(ids);
            for (var i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                var loss = losses[i];
                if (loss.Tokens == 0)
                {
                    verdicts[i] = DocumentVerdict.Drop("perplexity.empty");
                    continue;
                }
                var chars = ScoredCharacters(document.Text, ids[i], truncated[i]);
                var perToken = loss.TokenPerplexity;
                var perChar = loss.PerplexityOver(chars);
                document[options.Column] = perToken;
                document[options.CharColumn] = perChar;
                _tokens += loss.Tokens;
                _chars += chars;
                if (truncated[i]) _truncated++;
                var score = options.Unit == PerplexityUnit.Token ? perToken : perChar;
                var bin = HistogramBin(score);
                _histogram[bin] = _histogram.GetValueOrDefault(bin) + 1;
                scores?.Append(new PerplexityScoreRecord(score, PerplexityScoreRecord.GroupOf(options.Buckets?.GroupOf(document))));
                verdicts[i] = options.MaxPerplexity is { } max && score > max ? DocumentVerdict.Drop("perplexity.too_high") : DocumentVerdict.Keep;
            }
        }

        /// <summary>Characters of the text the scored tokens cover: all of it, or the decoded prefix when max_tokens cut it.</summary>
        private long ScoredCharacters(string text, int[] scoredIds, bool truncated)
        {
            var covered = truncated ? tokenizer.Decode(scoredIds) : text;
            long count = 0;
            foreach (var _ in covered.EnumerateRunes()) count++;
            return count;
        }

        public void Complete(TaskStats stats)
        {
            foreach (var (bin, count) in _histogram) stats.Add($"perplexity_histogram.{bin}", count);
            stats.Add("perplexity_tokens_scored", _tokens);
            stats.Add("perplexity_chars_scored", _chars);
            stats.Add("perplexity_docs_truncated", _truncated);
            if (scores is not null)
            {
                scores.Complete();
                scores.Dispose();
            }
            model.Dispose();
        }
    }
}
