using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// First half of the tokenize stage. Task i encodes its documents, appends end-of-text after each, assigns each
/// document to train or validation by a hash of its id, packs each split's token stream into rows of seq_len + 1,
/// and deals every row to one of the shuffle partitions by a seeded hash: OUT/SPLIT/part-i-j.rows holds the rows
/// task i gives to shuffle task j. It also writes OUT/sources-i.json with documents and tokens per source and split.
/// </summary>
public sealed class TokenizeEncodeJob(TokenizeOptions options) : IStageJob
{
    private static readonly string[] Splits = [TokenSplit.Train, TokenSplit.Validation];
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string PartitionFile(string outDir, string split, int task, int partition) =>
        Path.Combine(outDir, split, $"part-{task:D5}-{partition:D5}.rows");

    public static string SourcesFile(string outDir, int task) => Path.Combine(outDir, $"sources-{task:D5}.json");

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        IReadOnlyList<IReadOnlyList<string>> inputs = options.Input is { } patterns
            ? DocumentStageJob.BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), options.Tasks)
            : DocumentShardsBefore(context);
        var outDir = context.OutputDir;
        var tokenizerFile = TokenizerReference.PlannedFile(context, options);
        return inputs.Select((files, i) =>
        {
            if (tokenizerFile is not null) files = [.. files, tokenizerFile];
            var outputs = Splits.SelectMany(split => Enumerable.Range(0, options.ShuffleTasks).Select(j => PartitionFile(outDir, split, i, j))).ToList();
            outputs.Add(SourcesFile(outDir, i));
            return new TaskPlan(i, files, outputs);
        }).ToList();
    }

    /// <summary>The main shards of the closest earlier stage that writes documents (a tokenizer_train stage in between writes none).</summary>
    private static IReadOnlyList<IReadOnlyList<string>> DocumentShardsBefore(PlanContext context)
    {
        for (var k = context.StageIndex - 1; k >= 0; k--)
        {
            var stage = context.Pipeline.Stages[k];
            if (stage.Job is TokenizerTrainJob) continue;
            return context.ManifestOf(stage.Name).Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        }
        throw new InvalidOperationException($"stage '{context.Stage.Name}' has no earlier stage that writes documents; give it an 'input'");
    }

    public void Run(TaskContext context)
    {
        var tokenizer = TokenizerReference.LoadFor(context, options);
        var documentFiles = options.TokenizerFromStage ? context.Inputs.Take(context.Inputs.Count - 1).ToList() : context.Inputs;
        var outDir = Path.GetDirectoryName(context.Plan.Outputs[^1])!;
        var packers = new Dictionary<string, RowPacker>();
        try
        {
            foreach (var split in Splits)
            {
                var writers = Enumerable.Range(0, options.ShuffleTasks)
                    .Select(j => new TokenRowPartitionWriter(context.CreateOutput(PartitionFile(outDir, split, context.Index, j)), options.RowLength))
                    .ToArray();
                packers[split] = new RowPacker(writers, options.RowLength, PartitionKey(options.Seed, context.Index, split));
            }

            var counts = new Dictionary<(string Source, string Split), (long Documents, long Tokens)>();
            var ids = new List<int>();
            var stats = context.Stats;
            for (var f = 0; f < documentFiles.Count; f++)
            {
                var fileIndex = f;
                void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / documentFiles.Count);
                foreach (var doc in DocumentSources.Read(documentFiles[f], options.Read, context.Rejects, OnFraction))
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    var bytes = Encoding.UTF8.GetByteCount(doc.Text);
                    ids.Clear();
                    if (options.AllowSpecialTokens) tokenizer.Encode(doc.Text, ids);
                    else tokenizer.EncodeOrdinary(doc.Text, ids);
                    ids.Add(tokenizer.EndOfTextId);
                    var split = IsValidation(doc.Id, options.ValidationFraction) ? TokenSplit.Validation : TokenSplit.Train;
                    packers[split].Append(ids);

                    stats.Add("docs_in");
                    stats.Add("bytes_in", bytes);
                    stats.Add("docs_out"); // every document is kept, as tokens
                    stats.Add("tokens_out", ids.Count);
                    stats.Add($"docs.{split}");
                    stats.Add($"tokens.{split}", ids.Count);
                    stats.Add($"source_tokens.{doc.Source}", ids.Count);
                    var key = (doc.Source, split);
                    var (d, t) = counts.GetValueOrDefault(key);
                    counts[key] = (d + 1, t + ids.Count);
                    context.Progress.Advance(1, bytes);
                }
            }
            foreach (var split in Splits)
            {
                stats.Add($"rows.{split}", packers[split].Rows);
                // The last partial row of each split is dropped rather than padded: rows are always fully packed.
                stats.Add($"tokens_dropped_tail.{split}", packers[split].Pending);
            }
            var sources = counts.OrderBy(c => c.Key.Source, StringComparer.Ordinal).ThenBy(c => c.Key.Split, StringComparer.Ordinal)
                .Select(c => new TokenSourceCount(c.Key.Source, c.Key.Split, c.Value.Documents, c.Value.Tokens)).ToList();
            File.WriteAllText(context.CreateOutput(SourcesFile(outDir, context.Index)), JsonSerializer.Serialize(sources, Json));
        }
        finally
        {
            foreach (var packer in packers.Values) packer.Dispose();
        }
    }

    /// <summary>Validation membership depends only on the document id, so it is stable across seeds, task counts and reruns.</summary>
    public static bool IsValidation(string id, double fraction) =>
        fraction > 0 && XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(id), 0x7A11D) < fraction * ulong.MaxValue;

    private static ulong PartitionKey(long seed, int task, string split) =>
        XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{seed}/{task}/{split}"));

    /// <summary>Cuts a token stream into rows of a fixed length and sends each row to a partition chosen by a seeded hash of its number.</summary>
    private sealed class RowPacker(TokenRowPartitionWriter[] partitions, int rowLength, ulong key) : IDisposable
    {
        private readonly int[] _row = new int[rowLength];
        private readonly byte[] _rowKey = new byte[16];

        public int Pending { get; private set; }
        public long Rows { get; private set; }

        public void Append(List<int> tokens)
        {
            var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
            while (span.Length > 0)
            {
                var take = Math.Min(span.Length, rowLength - Pending);
                span[..take].CopyTo(_row.AsSpan(Pending));
                Pending += take;
                span = span[take..];
                if (Pending < rowLength) continue;
                BitConverter.TryWriteBytes(_rowKey, key);
                BitConverter.TryWriteBytes(_rowKey.AsSpan(8), Rows);
                var partition = (int)(XxHash64.HashToUInt64(_rowKey) % (ulong)partitions.Length);
                partitions[partition].WriteRow(_row);
                Rows++;
                Pending = 0;
            }
        }

        public void Dispose()
        {
            foreach (var partition in partitions) partition.Dispose();
        }
    }
}
