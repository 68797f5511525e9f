using DataFlow.Trainer.Model;
using System.IO.Compression;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Chat;

namespace DataFlow.Jobs.Training.Sft;

/// <summary>
/// <c>sft_prepare</c>: chat JSONL -> template rendering -> the model's tokenizer's ids with a loss mask ->
/// <c>part-NNNNN.parquet</c> SFT shards. Input files are balanced across tasks (largest first, deterministic);
/// bad records (parse problems, conversations longer than max_tokens) go to the task's reject sink with file and line.
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
        using var writer = new SftShardWriter(shardPath, Options.MaxTokens, Options.Layout,
            tokenizer.PadId, tokenizer.Source, Options.RowGroupRows);
        var rows = new SftRowBuilder(writer, Options.Layout, tokenizer.PadId);
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
                var parsed = ChatRecordParser.Parse(text, Options.Format);
                if (parsed.Conversation is not { } conversation)
                {
                    Reject(context, file, line, parsed.Problem!, text, "bad_record");
                    continue;
                }
                var encoded = TokenizedConversation.Encode(template.Render(conversation), tokenizer);
                if (encoded.Length > Options.MaxTokens)
                {
                    Reject(context, file, line, $"conversation of {encoded.Length} tokens is longer than max_tokens {Options.MaxTokens}", text, "too_long");
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
