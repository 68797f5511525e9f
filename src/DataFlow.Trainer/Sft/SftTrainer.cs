using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using System.Diagnostics;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;
using Transformer = DataFlow.Trainer.Model.Transformer;
using AdamW = DataFlow.Trainer.Training.AdamW;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Sft;

/// <summary>
/// Supervised fine-tuning, explicit from top to bottom: load training rows (chat JSONL or the shards sft_prepare wrote, padded or packed), build the model (full or
/// LoRA), then per step: learning rate from the schedule, <c>grad_accum</c> micro-batches of masked cross-entropy,
/// clip, AdamW; eval loss, exact match and sample generations every <c>eval_every</c>; a checkpoint (weights or
/// adapters + optimizer + state) in OUTPUT/checkpoints/step-N every <c>save_every</c> (<see cref="CheckpointStore"/>). The batch order and dropout depend only on (seed, step), so a
/// run resumed from a checkpoint continues exactly as if it had never stopped. Under MPI (<see cref="DataParallel"/>) each
/// rank trains on its rows of every global batch, gradients are averaged before clipping, and rank 0 alone evaluates
/// and writes.
/// </summary>
public sealed class SftTrainer(SftConfig config, ChatTokenizer tokenizer, Action<string> log)
{
    public const string FinalDir = "final";
    public const string OptimizerFile = "optimizer.safetensors";
    private readonly ChatTemplate _template = ChatTemplate.Default with { LossOn = config.LossOn };

    /// <summary>Metrics of the last eval (for callers and tests).</summary>
    public SftEvaluation? LastEvaluation { get; private set; }

    /// <summary>Data-parallel ranks this process is one of (<see cref="DataParallel.Single"/>: one process); batch_size is the global batch.</summary>
    public DataParallel DataParallel { get; init; } = DataParallel.Single;

    /// <summary>Where the run's display reads steps done, tokens and the last loss (a pipeline stage's task; null: nobody watches).</summary>
    public TaskProgress? Progress { get; init; }

    private Action<string> Log => DataParallel.IsRoot ? log : static _ => { };

    public TrainingSummary Run(IRejectSink rejects)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var (_, rowsPerRank) = DataParallel.ShareOf(config.BatchSize, "batch_size");
        var (train, eval) = LoadData(rejects);
        Log($"sft: {train.Count} training rows ({train.Sum(r => r.Conversations)} conversations) and {eval.Count} held-out rows ({eval.Sum(r => r.Row.Conversations)} conversations)");

        torch.manual_seed(config.Seed);
        using var model = LoadModel();
        using var adapters = config.Lora is null ? null : LoraAdapters.Attach(model, config.Lora);
        var trainable = adapters?.Parameters().ToList() ?? model.parameters().ToList();
        var total = model.parameters().Sum(p => p.numel()) + (adapters?.ParameterCount ?? 0);
        var trainableCount = trainable.Sum(p => p.numel());
        Log($"sft: {(adapters is null ? "full" : $"LoRA r={config.Lora!.Rank}")} fine-tuning, {trainableCount:N0} of {total:N0} parameters trainable ({100.0 * trainableCount / total:F2}%)");
        using var optimizer = new AdamW(adapters?.NamedParameters() ?? model.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: config.WeightDecay);
        if (DataParallel.IsDistributed) Log($"sft: data parallel over {DataParallel.Size} MPI ranks, {rowsPerRank} of {config.BatchSize} rows per rank");

        var store = CheckpointStore.In(config.Output, config.KeepLast);
        var startStep = 0;
        if (store.Latest() is { } checkpoint)
        {
            startStep = LoadCheckpoint(checkpoint, model, adapters, optimizer);
            Log($"sft: resumed from {checkpoint} at step {startStep}");
        }
        DataParallel.Agree(startStep, "the step to start from");
        DataParallel.Broadcast(model.parameters().Concat(adapters?.Parameters() ?? []));
        Directory.CreateDirectory(config.Output);
        using var metrics = DataParallel.IsRoot ? new MetricsLog(Path.Combine(config.Output, "metrics.jsonl"), startStep > 0 ? startStep : -1) : null;
        if (startStep == 0 && metrics is not null) Evaluate(model, adapters, eval, 0, metrics);

        var stopAt = config.StopAfter > 0 ? Math.Min(config.MaxSteps, startStep + config.StopAfter) : config.MaxSteps;
        var schedule = WarmupCosineSchedule.OverRun(config.LearningRate, config.MinLrRatio, config.WarmupSteps, config.MaxSteps);
        var clock = Stopwatch.StartNew();
        var stepsClock = Stopwatch.StartNew();
        long tokensSinceLog = 0, trainedTokens = 0;
        var losses = new List<double>();
        string? lastCheckpoint = null;
        Progress?.StartSteps(startStep, stopAt);
        for (var step = startStep; step < stopAt; step++)
        {
            model.train();
            adapters?.Train(true);
            torch.manual_seed(config.Seed * 1_000_003L + step); // dropout depends on (seed, step) only
            adapters?.SeedDropout(DataParallel.RankSeed(config.Seed * 1_000_003L + step));
            var lr = schedule.At(step);
            optimizer.ZeroGrad();
            double stepLoss = 0;
            for (var micro = 0; micro < config.GradAccumSteps; micro++)
            {
                using var scope = NewDisposeScope();
                // The whole global batch is collated (same padding as one process), then this rank keeps its rows;
                // its summed loss over the global token count's share averages over ranks to the global mean.
                var (inputs, targets, layout) = SftBatch.Collate(BatchAt(train, step * config.GradAccumSteps + micro), tokenizer.PadId);
                var tokens = targets.ne(SftBatch.IgnoreIndex).sum().item<long>();
                var rankLayout = layout is null ? null : new PackedLayout(DataParallel.Rows(layout.Positions), DataParallel.Rows(layout.Mask));
                var loss = SftBatch.MaskedLossSum(Logits(model, DataParallel.Rows(inputs), rankLayout), DataParallel.Rows(targets)) / (DataParallel.MeanDenominator(tokens) * config.GradAccumSteps);
                loss.backward();
                stepLoss += loss.item<float>();
                tokensSinceLog += inputs.numel();
                trainedTokens += inputs.numel();
            }
            DataParallel.AverageGradients(trainable);
            var norm = nn.utils.clip_grad_norm_(trainable, config.GradClip);
            optimizer.Step(lr);
            stepLoss = DataParallel.Average(stepLoss);
            losses.Add(stepLoss);

            var done = step + 1;
            Progress?.CompleteStep(done, trainedTokens, stepLoss);
            if (metrics is not null && (done % config.LogEvery == 0 || done == stopAt))
            {
                var seconds = clock.Elapsed.TotalSeconds;
                metrics.Write(new { step = done, loss = stepLoss, lr, grad_norm = norm, tokens_per_s = tokensSinceLog / seconds });
                Log($"sft step {done}/{config.MaxSteps} loss {stepLoss:F4} lr {lr:E2} grad_norm {norm:F3} {tokensSinceLog / seconds:F0} tok/s");
                tokensSinceLog = 0;
                clock.Restart();
            }
            if (metrics is null) continue; // rank 0 alone evaluates and writes; the others wait in the next all-reduce
            if (done % config.EvalEvery == 0 || done == config.MaxSteps) Evaluate(model, adapters, eval, done, metrics);
            if (done % config.CheckpointEvery == 0 || done == stopAt) lastCheckpoint = SaveCheckpoint(store, model, adapters, optimizer, done);
        }
        if (DataParallel.IsDistributed)
        {
            Log($"sft: {stopAt - startStep} steps in {stepsClock.Elapsed.TotalSeconds:F2} s, {DataParallel.AllReduceTime.TotalSeconds:F2} s of them in gradient all-reduces (rank 0)");
            Log($"sft: replicas of {DataParallel.Size} ranks differ by at most {DataParallel.Divergence(trainable):G3} (0: in lockstep)");
        }
        if (stopAt == config.MaxSteps && DataParallel.IsRoot) SaveFinal(model, adapters);
        return new TrainingSummary
        {
            Kind = "sft", FirstStep = startStep, Steps = Math.Max(0, stopAt - startStep), Tokens = trainedTokens, Seconds = stepsClock.Elapsed.TotalSeconds,
            Losses = losses, LastCheckpoint = lastCheckpoint ?? store.Latest(),
            FinalEval = LastEvaluation is { } e ? new Dictionary<string, double> { ["eval_loss"] = e.Loss, ["exact_match"] = e.ExactMatch } : new Dictionary<string, double>(),
        };
    }

    /// <summary>
    /// The model to fine-tune: fresh (<c>model:</c>) or from <c>init</c>. A pretrained model whose vocabulary lacks the chat
    /// tokens (gpt2, cl100k) grows its embedding by them first (<see cref="ModelTokenizer.GrowVocabulary"/>).
    /// </summary>
    private Transformer LoadModel()
    {
        if (config.Init is null)
        {
            ModelTokenizer.Check(config.Model!, "the fresh model (model:)", tokenizer, $"tokenizer '{config.Tokenizer}'");
            return new Transformer(config.Model!);
        }
        var model = ModelWeights.LoadTransformer(config.Init);
        ModelTokenizer.Check(model.Config, $"init model {config.Init}", tokenizer, "its tokenizer", allowGrowth: config.Lora is null);
        if (model.Config.VocabSize == tokenizer.VocabSize) return model;
        using (model)
        {
            Log($"sft: vocabulary grown from {model.Config.VocabSize} to {tokenizer.VocabSize} ids for the chat tokens {string.Join(" ", tokenizer.AddedTokens.Values)} (new rows start at the mean embedding)");
            return ModelTokenizer.GrowVocabulary(model, tokenizer.VocabSize);
        }
    }

    /// <summary>
    /// Training and held-out rows. An entry of <c>train</c>/<c>eval</c> is chat JSONL (encoded and laid one conversation per
    /// row by the same code as <c>sft_prepare</c>) or prepared shards (a folder <c>sft_prepare</c> wrote, or one of its
    /// .parquet files; padded or packed), whose tokenizer must be this model's. Held-out rows from JSONL keep their
    /// conversation for exact match; prepared rows are scored by loss alone.
    /// </summary>
    private (List<SftRow> Train, List<(SftRow Row, Conversation? Conversation)> Eval) LoadData(IRejectSink rejects)
    {
        var train = LoadRows(config.Train, rejects);
        if (config.Eval.Count > 0) return (train.Select(r => r.Row).ToList(), LoadRows(config.Eval, rejects));
        var holdOut = (int)(train.Count * config.EvalFraction);
        var cut = train.Count - holdOut;
        return (train.Take(cut).Select(r => r.Row).ToList(), train.Skip(cut).ToList());
    }

    private List<(SftRow Row, Conversation? Conversation)> LoadRows(IReadOnlyList<string> entries, IRejectSink rejects)
    {
        var rows = new List<(SftRow, Conversation?)>();
        var modelSide = config.Init is null ? $"the fresh model (tokenizer: {config.Tokenizer})" : $"init model {config.Init}";
        foreach (var entry in entries)
        {
            if (SftShardReader.IsPrepared(entry))
            {
                foreach (var shard in SftShardReader.ShardsOf(entry))
                    rows.AddRange(SftShardReader.Read(shard, tokenizer, modelSide).Rows.Select(r => (r, (Conversation?)null)));
                continue;
            }
            var data = SftDataset.Load([entry], config.Format, _template, tokenizer, config.MaxTokens, rejects);
            rows.AddRange(data.Rows(config.MaxTokens, tokenizer.PadId).Zip(data.Conversations, (r, c) => (r, (Conversation?)c)));
        }
        return rows;
    }

    /// <summary>Logits of a collated batch: plain causal attention, or per conversation when rows are packed.</summary>
    private static Tensor Logits(Transformer model, Tensor inputs, PackedLayout? layout) =>
        layout is null ? model.forward(inputs) : model.Forward(inputs, layout);

    /// <summary>The <paramref name="index"/>-th batch of the run: epochs of a seeded permutation, so any batch is known from its index alone.</summary>
    private List<SftRow> BatchAt(List<SftRow> train, long index)
    {
        if (_order?.Count != train.Count) _order = new EpochOrder(train.Count, config.Seed);
        var batch = new List<SftRow>(config.BatchSize);
        for (var i = 0; i < config.BatchSize; i++) batch.Add(train[_order.At(index * config.BatchSize + i)]);
        return batch;
    }

    private EpochOrder? _order;

    private void Evaluate(Transformer model, LoraAdapters? adapters, List<(SftRow Row, Conversation? Conversation)> eval, int step, MetricsLog metrics)
    {
        if (eval.Count == 0) return;
        model.eval();
        adapters?.Train(false);
        var pad = tokenizer.PadId;
        double lossSum = 0;
        var batches = 0;
        using (no_grad())
        {
            for (var i = 0; i < eval.Count; i += config.BatchSize)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets, layout) = SftBatch.Collate(eval.Skip(i).Take(config.BatchSize).Select(e => e.Row).ToList(), pad);
                lossSum += SftBatch.MaskedLoss(Logits(model, inputs, layout), targets).item<float>();
                batches++;
            }
        }
        var samples = eval.Where(e => e.Conversation is not null).Take(config.SampleCount).Select(e => e.Conversation!).ToList();
        var evaluation = SftEvaluation.ExactMatchOf(model, samples, tokenizer, _template, config.MaxNewTokens, config.BatchSize);
        LastEvaluation = evaluation with { Loss = lossSum / batches };
        metrics.Write(new { step, eval_loss = LastEvaluation.Loss, exact_match = evaluation.ExactMatch, true_score = evaluation.TrueScore });
        using (var writer = new StreamWriter(Path.Combine(config.Output, "samples.jsonl"), append: true))
            foreach (var sample in evaluation.Samples.Take(8))
                writer.WriteLine(JsonSerializer.Serialize(new { step, prompt = sample.Prompt, reference = sample.Reference, response = sample.Response }));
        Log($"sft eval step {step}: loss {LastEvaluation.Loss:F4} exact match {evaluation.ExactMatch:P1} ({evaluation.Samples.Count} prompts)");
    }

    private string SaveCheckpoint(CheckpointStore store, Transformer model, LoraAdapters? adapters, AdamW optimizer, int step) =>
        store.Save(step, temp =>
        {
            if (adapters is null) ModelWeights.Save(model, model.Config, temp, tokenizer);
            else adapters.Save(temp);
            optimizer.Save(Path.Combine(temp, OptimizerFile));
            File.WriteAllText(Path.Combine(temp, TrainerState.FileName), JsonSerializer.Serialize(new TrainerState(step, config.Seed), TrainerJson.Options));
        });

    private static int LoadCheckpoint(string directory, Transformer model, LoraAdapters? adapters, AdamW optimizer)
    {
        if (adapters is null) ModelWeights.LoadInto(model, Path.Combine(directory, ModelWeights.WeightsFile));
        else adapters.LoadWeights(Path.Combine(directory, LoraAdapters.WeightsFile));
        optimizer.Load(Path.Combine(directory, OptimizerFile));
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(directory, TrainerState.FileName)), TrainerJson.Options)!;
        return state.Step;
    }

    private void SaveFinal(Transformer model, LoraAdapters? adapters)
    {
        var final = Path.Combine(config.Output, FinalDir);
        if (adapters is null) ModelWeights.Save(model, model.Config, final, tokenizer);
        else
        {
            adapters.Save(final);
            ModelTokenizer.Save(final, tokenizer);
            if (config.Init is not null) File.WriteAllText(Path.Combine(final, "base_model.txt"), Path.GetFullPath(config.Init) + "\n");
        }
        Log($"sft: final {(adapters is null ? "model" : "adapters")} in {final}");
    }
}
