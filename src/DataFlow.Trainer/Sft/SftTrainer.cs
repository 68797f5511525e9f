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
/// Supervised fine-tuning, explicit from top to bottom: load and tokenize conversations, build the model (full or
/// LoRA), then per step: learning rate from the schedule, <c>grad_accum</c> micro-batches of masked cross-entropy,
/// clip, AdamW; eval loss, exact match and sample generations every <c>eval_every</c>; a checkpoint (weights or
/// adapters + optimizer + state) every <c>save_every</c>. The batch order and dropout depend only on (seed, step), so a
/// run resumed from a checkpoint continues exactly as if it had never stopped. Under MPI (<see cref="Replicas"/>) each
/// rank trains on its rows of every global batch, gradients are averaged before clipping, and rank 0 alone evaluates
/// and writes.
/// </summary>
public sealed class SftTrainer(SftConfig config, ChatTokenizer tokenizer, Action<string> log)
{
    public const string CheckpointDir = "checkpoint";
    public const string FinalDir = "final";
    public const string OptimizerFile = "optimizer.safetensors";
    private readonly ChatTemplate _template = ChatTemplate.Default with { LossOn = config.LossOn };

    /// <summary>Metrics of the last eval (for callers and tests).</summary>
    public SftEvaluation? LastEvaluation { get; private set; }

    /// <summary>Data-parallel ranks this process is one of (<see cref="Replicas.Single"/>: one process); batch_size is the global batch.</summary>
    public Replicas Replicas { get; init; } = Replicas.Single;

    private Action<string> Log => Replicas.IsRoot ? log : static _ => { };

    public void Run(IRejectSink rejects)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var (_, rowsPerRank) = Replicas.ShareOf(config.BatchSize, "batch_size");
        var (train, eval) = LoadData(rejects);
        Log($"sft: {train.Count} training and {eval.Count} held-out conversations");

        torch.manual_seed(config.Seed);
        using var model = LoadModel();
        using var adapters = config.Lora is null ? null : LoraAdapters.Attach(model, config.Lora);
        var trainable = adapters?.Parameters().ToList() ?? model.parameters().ToList();
        var total = model.parameters().Sum(p => p.numel()) + (adapters?.ParameterCount ?? 0);
        var trainableCount = trainable.Sum(p => p.numel());
        Log($"sft: {(adapters is null ? "full" : $"LoRA r={config.Lora!.Rank}")} fine-tuning, {trainableCount:N0} of {total:N0} parameters trainable ({100.0 * trainableCount / total:F2}%)");
        using var optimizer = new AdamW(adapters?.NamedParameters() ?? model.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: config.WeightDecay);
        if (Replicas.IsDistributed) Log($"sft: data parallel over {Replicas.Size} MPI ranks, {rowsPerRank} of {config.BatchSize} rows per rank");

        var checkpoint = LatestCheckpoint.Open(Path.Combine(config.Output, CheckpointDir));
        var startStep = 0;
        if (File.Exists(Path.Combine(checkpoint, TrainerState.FileName)))
        {
            startStep = LoadCheckpoint(checkpoint, model, adapters, optimizer);
            Log($"sft: resumed from {checkpoint} at step {startStep}");
        }
        Replicas.Agree(startStep, "the step to start from");
        Replicas.Broadcast(model.parameters().Concat(adapters?.Parameters() ?? []));
        Directory.CreateDirectory(config.Output);
        using var metrics = Replicas.IsRoot ? new MetricsLog(Path.Combine(config.Output, "metrics.jsonl"), startStep > 0 ? startStep : -1) : null;
        if (startStep == 0 && metrics is not null) Evaluate(model, adapters, eval, 0, metrics);

        var stopAt = config.StopAfter > 0 ? Math.Min(config.Steps, startStep + config.StopAfter) : config.Steps;
        var schedule = WarmupCosineSchedule.OverRun(config.LearningRate, config.MinLrRatio, config.WarmupSteps, config.Steps);
        var clock = Stopwatch.StartNew();
        var stepsClock = Stopwatch.StartNew();
        long tokensSinceLog = 0;
        for (var step = startStep; step < stopAt; step++)
        {
            model.train();
            adapters?.Train(true);
            torch.manual_seed(config.Seed * 1_000_003L + step); // dropout depends on (seed, step) only
            adapters?.SeedDropout(Replicas.RankSeed(config.Seed * 1_000_003L + step));
            var lr = schedule.At(step);
            optimizer.ZeroGrad();
            double stepLoss = 0;
            for (var micro = 0; micro < config.GradAccum; micro++)
            {
                using var scope = NewDisposeScope();
                // The whole global batch is collated (same padding as one process), then this rank keeps its rows;
                // its summed loss over the global token count's share averages over ranks to the global mean.
                var (inputs, targets) = SftBatch.Collate(BatchAt(train, step * config.GradAccum + micro), tokenizer.PadId);
                var tokens = targets.ne(SftBatch.IgnoreIndex).sum().item<long>();
                var loss = SftBatch.MaskedLossSum(model.forward(Replicas.Rows(inputs)), Replicas.Rows(targets)) / (Replicas.MeanDenominator(tokens) * config.GradAccum);
                loss.backward();
                stepLoss += loss.item<float>();
                tokensSinceLog += inputs.numel();
            }
            Replicas.AverageGradients(trainable);
            var norm = nn.utils.clip_grad_norm_(trainable, config.GradClip);
            optimizer.Step(lr);
            stepLoss = Replicas.Average(stepLoss);

            var done = step + 1;
            if (metrics is not null && (done % config.LogEvery == 0 || done == stopAt))
            {
                var seconds = clock.Elapsed.TotalSeconds;
                metrics.Write(new { step = done, loss = stepLoss, lr, grad_norm = norm, tokens_per_s = tokensSinceLog / seconds });
                Log($"sft step {done}/{config.Steps} loss {stepLoss:F4} lr {lr:E2} grad_norm {norm:F3} {tokensSinceLog / seconds:F0} tok/s");
                tokensSinceLog = 0;
                clock.Restart();
            }
            if (metrics is null) continue; // rank 0 alone evaluates and writes; the others wait in the next all-reduce
            if (done % config.EvalEvery == 0 || done == config.Steps) Evaluate(model, adapters, eval, done, metrics);
            if (done % config.SaveEvery == 0 || done == stopAt) SaveCheckpoint(checkpoint, model, adapters, optimizer, done);
        }
        if (Replicas.IsDistributed)
        {
            Log($"sft: {stopAt - startStep} steps in {stepsClock.Elapsed.TotalSeconds:F2} s, {Replicas.AllReduceSeconds:F2} s of them in gradient all-reduces (rank 0)");
            Log($"sft: replicas of {Replicas.Size} ranks differ by at most {Replicas.Divergence(trainable):G3} (0: in lockstep)");
        }
        if (stopAt == config.Steps && Replicas.IsRoot) SaveFinal(model, adapters);
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

    private (List<TokenizedConversation> Train, List<(TokenizedConversation Tokens, Conversation Conversation)> Eval) LoadData(IRejectSink rejects)
    {
        var train = SftDataset.Load(config.Train, config.Format, _template, tokenizer, config.MaxTokens, rejects);
        if (config.Eval.Count > 0)
        {
            var eval = SftDataset.Load(config.Eval, config.Format, _template, tokenizer, config.MaxTokens, rejects);
            return (train.Examples.ToList(), eval.Examples.Zip(eval.Conversations).ToList());
        }
        var holdOut = (int)(train.Examples.Count * config.EvalFraction);
        var cut = train.Examples.Count - holdOut;
        return (train.Examples.Take(cut).ToList(), train.Examples.Skip(cut).Zip(train.Conversations.Skip(cut)).ToList());
    }

    /// <summary>The <paramref name="index"/>-th batch of the run: epochs of a seeded permutation, so any batch is known from its index alone.</summary>
    private List<TokenizedConversation> BatchAt(List<TokenizedConversation> train, long index)
    {
        var batch = new List<TokenizedConversation>(config.BatchSize);
        for (var i = 0; i < config.BatchSize; i++)
        {
            var position = index * config.BatchSize + i;
            var epoch = (int)(position / train.Count);
            batch.Add(train[Permutation(train.Count, epoch)[(int)(position % train.Count)]]);
        }
        return batch;
    }

    private int[]? _permutation;
    private int _permutationEpoch = -1;

    private int[] Permutation(int count, int epoch)
    {
        if (_permutationEpoch == epoch && _permutation is not null) return _permutation;
        var order = Enumerable.Range(0, count).ToArray();
        new Random(DeterministicSeed.Of(config.Seed, epoch)).Shuffle(order);
        (_permutation, _permutationEpoch) = (order, epoch);
        return order;
    }

    private void Evaluate(Transformer model, LoraAdapters? adapters, List<(TokenizedConversation Tokens, Conversation Conversation)> eval, int step, MetricsLog metrics)
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
                var (inputs, targets) = SftBatch.Collate(eval.Skip(i).Take(config.BatchSize).Select(e => e.Tokens).ToList(), pad);
                lossSum += SftBatch.MaskedLoss(model.forward(inputs), targets).item<float>();
                batches++;
            }
        }
        var samples = eval.Take(config.SampleCount).Select(e => e.Conversation).ToList();
        var evaluation = SftEvaluation.ExactMatchOf(model, samples, tokenizer, _template, config.MaxNewTokens, config.BatchSize);
        LastEvaluation = evaluation with { Loss = lossSum / batches };
        metrics.Write(new { step, eval_loss = LastEvaluation.Loss, exact_match = evaluation.ExactMatch, true_score = evaluation.TrueScore });
        using (var writer = new StreamWriter(Path.Combine(config.Output, "samples.jsonl"), append: true))
            foreach (var sample in evaluation.Samples.Take(8))
                writer.WriteLine(JsonSerializer.Serialize(new { step, prompt = sample.Prompt, reference = sample.Reference, response = sample.Response }));
        Log($"sft eval step {step}: loss {LastEvaluation.Loss:F4} exact match {evaluation.ExactMatch:P1} ({evaluation.Samples.Count} prompts)");
    }

    private void SaveCheckpoint(string directory, Transformer model, LoraAdapters? adapters, AdamW optimizer, int step)
    {
        LatestCheckpoint.Replace(directory, temp =>
        {
            if (adapters is null) ModelWeights.Save(model, model.Config, temp, tokenizer);
            else adapters.Save(temp);
            optimizer.Save(Path.Combine(temp, OptimizerFile));
            File.WriteAllText(Path.Combine(temp, TrainerState.FileName), JsonSerializer.Serialize(new TrainerState(step, config.Seed), TrainerJson.Options));
        });
    }

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
