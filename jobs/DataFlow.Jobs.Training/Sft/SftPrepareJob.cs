using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using System.IO.Compression;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Chat;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// <c>sft_prepare</c>: chat JSONL -> template rendering -> the model's tokenizer's ids with a loss mask ->
/// <c>part-NNNNN.parquet</c> SFT shards. Input files are balanced across tasks (largest first, deterministic);
/// bad records (parse problems, conversations longer than max_tokens or with no target) go to the task's reject sink
/// with file and line. Records are encoded (<see cref="SftRecord"/>) and laid into rows (<see cref="SftRowBuilder"/>)
/// by the same code the SFT trainer uses on JSONL, and <c>sft</c> trains on these shards.
/// </summary>
public sealed class SftPrepareJob(SftPrepareOptions options) : IStageJob
{
    public SftPrepareOptions Options { get; } = options;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var files = InputGlob.Expand(Options.Input, context.Pipeline.Settings.BaseDir);
        return DocumentStageJob.BalancedSplit(files, Options.Tasks)
            .Select((inputs, i) => new TaskPlan(i, inputs, [Path.Combine(context.OutputDir, $"part-{i:D5}.parquet")]))
            .ToList();
    }

    public void Run(TaskContext context)
    {
        var tokenizer = ModelTokenizer.Exists(Options.Tokenizer) ? ModelTokenizer.Load(Options.Tokenizer) : ChatTokenizer.Load(Options.Tokenizer);
        var template = ChatTemplate.Default with { LossOn = Options.LossOn };
        var stats = context.Stats;
        var shardPath = context.CreateOutput(context.Plan.Outputs[0]);
        using var writer = new SftShardWriter(shardPath, SftShardMetadata.Of(tokenizer, Options.MaxTokens, Options.Layout), Options.RowGroupRows);
        var rows = new SftRowBuilder(Options.MaxTokens, Options.Layout, tokenizer.PadId, writer.WriteRow);
        for (var f = 0; f < context.Inputs.Count; f++)
        {
            var file = context.Inputs[f];
            var size = Math.Max(1, new FileInfo(file).Length);
            long line = 0;
            using var stream = File.OpenRead(file);
            using var reader = new StreamReader(Decompressed(file, stream));
            while (reader.ReadLine() is { } text)
            {
                line++;
                if (line % 1024 == 0)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    context.Progress.SetFraction((f + Math.Min(1.0, (double)stream.Position / size)) / context.Inputs.Count);
                }
                if (string.IsNullOrWhiteSpace(text)) continue;
                stats.Add("docs_in");
                stats.Add("bytes_in", text.Length + 1);
                var record = SftRecord.Encode(text, Options.Format, template, tokenizer, Options.MaxTokens);
                if (record.Tokens is not { } encoded)
                {
                    Reject(context, file, line, record.Problem!, text, record.DropReason!);
                    continue;
                }
                rows.Add(encoded);
                stats.Add("docs_out");
                stats.Add("tokens", encoded.Length);
                stats.Add("target_tokens", encoded.TrainableTokens);
            }
        }
        rows.Flush();
        writer.Complete();
        stats.Add("bytes_out", new FileInfo(shardPath).Length);
        stats.Add("rows", writer.Rows);
        stats.Add("pad_tokens", rows.PadTokens);
        context.Progress.SetFraction(1);
    }

    private static void Reject(TaskContext context, string file, long line, string reason, string text, string counter)
    {
        context.Stats.Add($"dropped.{counter}");
        context.Rejects.Reject(new Reject(file, line, reason, text));
    }

    private static Stream Decompressed(string file, Stream stream) =>
        file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
}
