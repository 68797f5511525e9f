using System.IO.Hashing;
using System.Text;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// Second half of the tokenize stage: shuffle task j reads partition j from every encode task (verifying checksums),
/// permutes those rows by a seeded permutation and writes DATASET/train-j.parquet and DATASET/validation-j.parquet.
/// Rows were dealt to partitions at random, so the union of the shards is a global shuffle that never holds more
/// than one partition in memory.
/// </summary>
public sealed class TokenizeShuffleJob(TokenizeOptions options, string encodeStage, string manifestStage) : IStageJob
{
    public static string ShardFile(string split, int partition) => $"{split}-{partition:D5}.parquet";

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var encode = context.ManifestOf(encodeStage);
        var datasetDir = context.Run.OutputDir(context.Pipeline.Stage(manifestStage));
        return Enumerable.Range(0, options.ShuffleTasks).Select(j =>
        {
            var suffix = $"-{j:D5}.rows";
            var inputs = encode.AllOutputs.Where(p => p.EndsWith(suffix, StringComparison.Ordinal)).ToList();
            return new TaskPlan(j, inputs, [Path.Combine(datasetDir, ShardFile(TokenSplit.Train, j)), Path.Combine(datasetDir, ShardFile(TokenSplit.Validation, j))]);
        }).ToList();
    }

    public void Run(TaskContext context)
    {
        var rowLength = options.RowLength;
        foreach (var (split, output) in new[] { (TokenSplit.Train, context.Plan.Outputs[0]), (TokenSplit.Validation, context.Plan.Outputs[1]) })
        {
            var files = context.Inputs.Where(p => Path.GetFileName(Path.GetDirectoryName(p)) == split).ToList();
            var total = files.Sum(f => TokenRowPartitionReader.RowsIn(f, rowLength));
            if (total * rowLength > Array.MaxLength)
                throw new InvalidOperationException(
                    $"shuffle partition {context.Index} ({split}) holds {total * rowLength:N0} tokens, more than one task can hold; raise shuffle_tasks");
            var tokens = new int[total * rowLength];
            long offset = 0;
            foreach (var file in files)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var rows = TokenRowPartitionReader.RowsIn(file, rowLength);
                TokenRowPartitionReader.ReadInto(file, rowLength, tokens.AsSpan(checked((int)(offset * rowLength)), checked((int)(rows * rowLength))));
                offset += rows;
            }

            using var writer = new TokenShardWriter(context.CreateOutput(output), options.SeqLen, options.RowGroupRows);
            if (total > 0)
            {
                var order = new ShuffledIndexPermutation(total, XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{options.Seed}/{context.Index}/{split}")));
                for (long k = 0; k < total; k++)
                {
                    writer.WriteRow(tokens.AsSpan(checked((int)(order[k] * rowLength)), rowLength));
                    if ((k & 1023) == 0) context.Progress.SetFraction(k / (double)total);
                }
            }
            context.Stats.Add($"rows.{split}", total);
            context.Stats.Add($"tokens.{split}", total * rowLength);
        }
    }
}
