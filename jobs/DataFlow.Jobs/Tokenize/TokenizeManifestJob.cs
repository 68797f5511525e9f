using System.Text.Json;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;

namespace DataFlow.Jobs.Tokenize;

/// <summary>
/// Last step of the tokenize stage, one task: writes DATASET/manifest.json from the shards' Parquet footers and the
/// per-source counts of every encode task, so readers find the whole dataset described in one file.
/// </summary>
public sealed class TokenizeManifestJob(TokenizeOptions options, string encodeStage, string shuffleStage) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var shards = context.ManifestOf(shuffleStage).AllOutputs.ToList();
        var sources = context.ManifestOf(encodeStage).AllOutputs.Where(p => p.EndsWith(".json", StringComparison.Ordinal));
        var datasetDir = Path.GetDirectoryName(shards[0])!;
        var tokenizerFile = TokenizerReference.PlannedFile(context, options);
        return [new TaskPlan(0, [.. shards, .. sources, .. tokenizerFile is null ? Array.Empty<string>() : [tokenizerFile]], [TokenDatasetManifest.PathIn(datasetDir)])];
    }

    public void Run(TaskContext context)
    {
        var tokenizer = TokenizerReference.LoadFor(context, options);
        var datasetDir = Path.GetDirectoryName(context.Plan.Outputs[0])!;
        var shards = new List<TokenShardInfo>();
        var sources = new List<TokenSourceCount>();
        foreach (var input in options.TokenizerFromStage ? context.Inputs.Take(context.Inputs.Count - 1) : context.Inputs)
        {
            if (input.EndsWith(".parquet", StringComparison.Ordinal))
            {
                var file = Path.GetFileName(input);
                var split = file.StartsWith(TokenSplit.Validation, StringComparison.Ordinal) ? TokenSplit.Validation : TokenSplit.Train;
                shards.Add(TokenShardDataset.DescribeShard(datasetDir, file, split, options.SeqLen));
            }
            else
            {
                sources.AddRange(JsonSerializer.Deserialize<List<TokenSourceCount>>(File.ReadAllText(input), TokenizeEncodeJob.Json)
                    ?? throw new InvalidDataException($"{input}: empty source counts"));
            }
        }
        var merged = sources.GroupBy(s => (s.Source, s.Split))
            .Select(g => new TokenSourceCount(g.Key.Source, g.Key.Split, g.Sum(s => s.Documents), g.Sum(s => s.Tokens)))
            .OrderBy(s => s.Source, StringComparer.Ordinal).ThenBy(s => s.Split, StringComparer.Ordinal).ToList();
        var manifest = new TokenDatasetManifest
        {
            Tokenizer = options.TokenizerFromStage ? context.Inputs[^1] : options.Tokenizer,
            VocabSize = tokenizer.VocabSize,
            SeqLen = options.SeqLen,
            EosId = tokenizer.EndOfTextId,
            PadId = tokenizer.PadId,
            ShuffleSeed = options.Seed,
            Shards = shards.OrderBy(s => s.Split == TokenSplit.Validation).ThenBy(s => s.File, StringComparer.Ordinal).ToList(),
            SourceTokens = merged,
        };
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), manifest.ToJson());
        foreach (var split in new[] { TokenSplit.Train, TokenSplit.Validation })
        {
            context.Stats.Add($"rows.{split}", manifest.RowsOf(split));
            context.Stats.Add($"tokens.{split}", manifest.TokensOf(split));
        }
    }
}
