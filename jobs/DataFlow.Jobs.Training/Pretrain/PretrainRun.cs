using System.Globalization;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Training;
using static TorchSharp.torch;

namespace DataFlow.Jobs.Training.Pretrain;

/// <summary>Pretraining from token shards: reads the manifest, builds the model it implies, runs the trainer.</summary>
public static class PretrainRun
{
    /// <param name="parallel">MPI data parallelism (null: one process, <see cref="DataParallel.Single"/>); batch_size is then the global batch, split over ranks.</param>
    /// <param name="progress">Where a pipeline stage's display reads the steps done (null: none).</param>
    public static TrainingSummary Execute(PretrainSettings settings, bool resume, TextWriter log, CancellationToken cancellation = default,
        DataParallel? parallel = null, TaskProgress? progress = null)
    {
        parallel ??= DataParallel.Single;
        if (!parallel.IsRoot) log = TextWriter.Null; // rank 0 speaks for all
        TorchRuntime.EnsureInitialized();
        var dataDir = settings.DataDir ?? throw new ArgumentException("pretrain: no token dataset folder ('data')");
        var manifest = TokenDatasetManifest.Load(dataDir);
        var config = settings.ModelFor(manifest.VocabSize, manifest.SeqLen).Validate();
        var tokenizer = new TokenizerInfo(manifest.Tokenizer, manifest.VocabSize, manifest.EosId, manifest.SeqLen);

        using var train = new ShardTokenBatches(dataDir, TokenSplit.Train, settings.BatchSize, settings.Training.Seed, config.VocabSize);
        using var validation = manifest.RowsOf(TokenSplit.Validation) >= settings.BatchSize
            ? new ShardTokenBatches(dataDir, TokenSplit.Validation, settings.BatchSize, 0, config.VocabSize, shuffle: false)
            : null;
        if (validation is null) log.WriteLine($"note: {dataDir} has no validation batch of {settings.BatchSize} rows; evaluation is skipped");

        manual_seed(settings.Training.Seed);
        using var model = new Transformer(config);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model {TrainingCheckpoint.Describe(config)}: {config.ParameterCount:N0} parameters, {config.TrainingFlopsPerToken(manifest.SeqLen) / 1e6:F1} MFLOP per token"));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"data {dataDir}: tokenizer {manifest.Tokenizer}, {train.RowCount:N0} train rows of {manifest.SeqLen} tokens, batch {settings.BatchSize} x {settings.Training.GradAccumSteps} accumulation; libtorch {TorchRuntime.LoadReport}"));

        if (parallel.IsDistributed) log.WriteLine($"data parallel over {parallel.Size} MPI rank(s): {settings.BatchSize / parallel.Size} rows per rank per micro-batch");
        var trainer = new CausalLmTrainer(model, settings.Training, DistributedMode.Shard(train, parallel), validation, settings.OutputDir, tokenizer)
        {
            Log = log, DataParallel = parallel, Progress = progress, TokenizerFiles = Text.Chat.ChatTokenizer.Load(manifest.Tokenizer),
        };
        return trainer.Run(resume, cancellation);
    }
}
