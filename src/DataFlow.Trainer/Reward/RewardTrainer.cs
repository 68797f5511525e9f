using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Training;
using System.Diagnostics;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using AdamW = DataFlow.Trainer.Training.AdamW;

namespace DataFlow.Trainer.Reward;

/// <summary>
/// Reward-model training: the SFT transformer plus a fresh scalar head, pairwise loss on (chosen, rejected), AdamW
/// with warmup-cosine, clipping; held-out accuracy and margin every <c>eval_every</c>; checkpoints with optimizer
/// and step in OUTPUT/checkpoints/step-N (<see cref="CheckpointStore"/>); batch order from (seed, step), so resume continues identically. Under MPI (<see cref="DataParallel"/>) each rank
/// scores its pairs of every global batch, gradients are averaged before clipping, and rank 0 alone evaluates and writes.
/// </summary>
public sealed class RewardTrainer(RewardConfig config, ChatTokenizer tokenizer, Action<string> log)
{
    private readonly ChatTemplate _template = ChatTemplate.Default;

    public RewardEvaluation? LastEvaluation { get; private set; }

    /// <summary>Data-parallel ranks this process is one of (<see cref="DataParallel.Single"/>: one process); batch_size is the global batch.</summary>
    public DataParallel DataParallel { get; init; } = DataParallel.Single;

    /// <summary>Where the run's display reads steps done, tokens and the last loss (a pipeline stage's task; null: nobody watches).</summary>
    public TaskProgress? Progress { get; init; }

    private Action<string> Log => DataParallel.IsRoot ? log : static _ => { };

    public TrainingSummary Run(IRejectSink rejects)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var (_, pairsPerRank) = DataParallel.ShareOf(config.BatchSize, "batch_size");
        var allLengths = new List<(int Chosen, int Rejected)>();
        var all = PreferenceDataset.Load(config.Train, _template, tokenizer, config.MaxTokens, rejects, config.Truncate, allLengths);
        List<(int[] Chosen, int[] Rejected)> train;
        // Each eval file is also scored on its own: synthetic wrong answers and the policy's own mistakes are
        // different tests of the same model, and one pooled number hides which one it fails.
        var evalSets = new List<(string Name, List<(int[] Chosen, int[] Rejected)> Pairs)>();
        // Untruncated lengths of the held-out pairs: the "longer answer wins" baseline is reported on exactly these pairs.
        var evalLengths = new List<(int Chosen, int Rejected)>();
        if (config.Eval.Count > 0)
        {
            train = all;
            foreach (var file in config.Eval)
                evalSets.Add((Path.GetFileNameWithoutExtension(file), PreferenceDataset.Load([file], _template, tokenizer, config.MaxTokens, rejects, config.Truncate, evalLengths)));
        }
        else
        {
            var cut = all.Count - (int)(all.Count * config.EvalFraction);
            train = all.Take(cut).ToList();
            evalSets.Add(("held_out", all.Skip(cut).ToList()));
            evalLengths.AddRange(allLengths.Skip(cut));
        }
        _lengthBaseline = PreferenceDataset.LengthBaseline(evalLengths);
        var eval = evalSets.SelectMany(e => e.Pairs).ToList();
        var truncated = allLengths.Count(l => Math.Max(l.Chosen, l.Rejected) > config.MaxTokens)
            + (config.Eval.Count > 0 ? evalLengths.Count(l => Math.Max(l.Chosen, l.Rejected) > config.MaxTokens) : 0);
        Log($"reward: {train.Count} training and {eval.Count} held-out pairs" +
            (config.Truncate == PreferenceTruncation.Left ? $" ({truncated} pairs left-truncated to the last {config.MaxTokens} tokens)" : ""));
        Log($"reward: held-out length baseline: longer answer wins {_lengthBaseline.LongerWins:P1}, ties {_lengthBaseline.Ties:P1} (shorter wins {1 - _lengthBaseline.LongerWins - _lengthBaseline.Ties:P1})");
        if (evalSets.Count == 1) evalSets.Clear();

        torch.manual_seed(config.Seed);
        using var model = config.Init is null ? RewardModel.Fresh(config.Model!) : RewardModel.FromPolicy(config.Init);
        ModelTokenizer.Check(model.Config, config.Init is null ? "the fresh reward model (model:)" : $"init model {config.Init}", tokenizer, "the tokenizer");
        model.Head = RewardHead.For(config.Score, config.ScoreScale, tokenizer, _template);
        using var optimizer = new AdamW(model.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: config.WeightDecay);
        var store = CheckpointStore.In(config.Output, config.KeepLast);
        var startStep = 0;
        if (store.Latest() is { } checkpoint)
        {
            ModelWeights.LoadInto(model, Path.Combine(checkpoint, ModelWeights.WeightsFile));
            optimizer.Load(Path.Combine(checkpoint, SftTrainer.OptimizerFile));
            startStep = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(checkpoint, TrainerState.FileName)), TrainerJson.Options)!.Step;
            Log($"reward: resumed from {checkpoint} at step {startStep}");
        }
        DataParallel.Agree(startStep, "the step to start from");
        DataParallel.Broadcast(model.parameters());
        if (DataParallel.IsDistributed) Log($"reward: data parallel over {DataParallel.Size} MPI ranks, {pairsPerRank} of {config.BatchSize} pairs per rank");
        Directory.CreateDirectory(config.Output);
        using var metrics = DataParallel.IsRoot ? new MetricsLog(Path.Combine(config.Output, "metrics.jsonl"), startStep > 0 ? startStep : -1) : null;
        if (metrics is not null && startStep == 0) EvaluateAll(model, eval, evalSets, 0, metrics);
        // Rerunning a finished run (or one pointed at new eval files) reports the held-out numbers again.
        else if (metrics is not null && startStep >= config.MaxSteps) EvaluateAll(model, eval, evalSets, startStep, metrics);

        var stopAt = config.StopAfter > 0 ? Math.Min(config.MaxSteps, startStep + config.StopAfter) : config.MaxSteps;
        var schedule = WarmupCosineSchedule.OverRun(config.LearningRate, config.MinLrRatio, config.WarmupSteps, config.MaxSteps);
        var clock = Stopwatch.StartNew();
        var runClock = Stopwatch.StartNew();
        var losses = new List<double>();
        long trainedTokens = 0;
        string? lastCheckpoint = null;
        Progress?.StartSteps(startStep, stopAt);
        for (var step = startStep; step < stopAt; step++)
        {
            model.train();
            var lr = schedule.At(step);
            optimizer.ZeroGrad();
            using var scope = NewDisposeScope();
            // This rank's pairs of the global batch, padded to the global batch's width (as one process pads them).
            var batch = BatchAt(train, step);
            var (chosen, rejected) = ScorePairs(model, DataParallel.Rows(batch), Width(batch));
            trainedTokens += 2L * batch.Count * Width(batch); // both sides of every pair of the global batch, at its padded width
            var loss = PairwiseLoss.Compute(chosen, rejected, config.Margin); // every rank has B/N pairs: the mean of means is the mean
            loss.backward();
            DataParallel.AverageGradients(model.parameters());
            var norm = nn.utils.clip_grad_norm_(model.parameters(), config.GradClip);
            optimizer.Step(lr);
            var done = step + 1;
            var global = DataParallel.Average(loss.item<float>(), (chosen > rejected).to(float32).mean().item<float>());
            losses.Add(global[0]);
            Progress?.CompleteStep(done, trainedTokens, global[0]);
            if (done % config.LogEvery == 0 || done == stopAt)
            {
                var (lossValue, accuracy) = (global[0], global[1]);
                metrics?.Write(new { step = done, loss = lossValue, accuracy, lr, grad_norm = norm, seconds = clock.Elapsed.TotalSeconds });
                Log($"reward step {done}/{config.MaxSteps} loss {lossValue:F4} batch accuracy {accuracy:P0} lr {lr:E2}");
                clock.Restart();
            }
            if (metrics is null) continue; // rank 0 alone evaluates and writes; the others wait in the next all-reduce
            if (done % config.EvalEvery == 0 || done == config.MaxSteps) EvaluateAll(model, eval, evalSets, done, metrics);
            if (done % config.CheckpointEvery == 0 || done == stopAt)
            {
                lastCheckpoint = store.Save(done, temp =>
                {
                    model.Save(temp, tokenizer);
                    optimizer.Save(Path.Combine(temp, SftTrainer.OptimizerFile));
                    File.WriteAllText(Path.Combine(temp, TrainerState.FileName), JsonSerializer.Serialize(new TrainerState(done, config.Seed), TrainerJson.Options));
                });
            }
        }
        if (DataParallel.IsDistributed)
            Log($"reward: replicas of {DataParallel.Size} ranks differ by at most {DataParallel.Divergence(model.parameters()):G3} (0: in lockstep)");
        if (stopAt == config.MaxSteps && DataParallel.IsRoot)
        {
            model.Save(Path.Combine(config.Output, SftTrainer.FinalDir), tokenizer);
            Log($"reward: final model in {Path.Combine(config.Output, SftTrainer.FinalDir)}");
        }
        return new TrainingSummary
        {
            Kind = "reward", FirstStep = startStep, Steps = Math.Max(0, stopAt - startStep), Tokens = trainedTokens, Seconds = runClock.Elapsed.TotalSeconds,
            Losses = losses, LastCheckpoint = lastCheckpoint ?? store.Latest(),
            FinalEval = LastEvaluation is { } e
                ? new Dictionary<string, double> { ["eval_loss"] = e.Loss, ["eval_accuracy"] = e.Accuracy, ["eval_margin"] = e.MeanMargin }
                : new Dictionary<string, double>(),
        };
    }

    /// <summary>Scores both sides of each pair in one right-padded batch [2B, max(width, longest)].</summary>
    public (Tensor Chosen, Tensor Rejected) ScorePairs(RewardModel model, IReadOnlyList<(int[] Chosen, int[] Rejected)> pairs, int width = 0)
    {
        var sequences = pairs.Select(p => p.Chosen).Concat(pairs.Select(p => p.Rejected)).ToList();
        var (tokens, lengths) = RightPad(sequences, tokenizer.PadId, width);
        var scores = model.Score(tokens, lengths);
        return (scores.narrow(0, 0, pairs.Count), scores.narrow(0, pairs.Count, pairs.Count));
    }

    private static int Width(IReadOnlyList<(int[] Chosen, int[] Rejected)> pairs) => pairs.Max(p => Math.Max(p.Chosen.Length, p.Rejected.Length));

    public static (Tensor Tokens, Tensor Lengths) RightPad(IReadOnlyList<int[]> sequences, int padId, int minWidth = 0)
    {
        var width = Math.Max(minWidth, sequences.Max(s => s.Length));
        var data = new long[sequences.Count * width];
        Array.Fill(data, padId);
        for (var b = 0; b < sequences.Count; b++)
            for (var i = 0; i < sequences[b].Length; i++) data[b * width + i] = sequences[b][i];
        return (tensor(data, [sequences.Count, width]), tensor(sequences.Select(s => (long)s.Length).ToArray()));
    }

    /// <summary>
    /// The pairs (token rows) of step <paramref name="step"/>'s global batch, in the seeded epoch order. Only these are
    /// made into tensors (<see cref="ScorePairs"/>): memory per step is one batch, whatever the size of the dataset.
    /// </summary>
    public List<(int[] Chosen, int[] Rejected)> BatchAt(IReadOnlyList<(int[] Chosen, int[] Rejected)> train, long step)
    {
        if (_order?.Count != train.Count) _order = new EpochOrder(train.Count, config.Seed);
        var batch = new List<(int[], int[])>(config.BatchSize);
        for (var i = 0; i < config.BatchSize; i++) batch.Add(train[_order.At(step * config.BatchSize + i)]);
        return batch;
    }

    private (double LongerWins, double Ties) _lengthBaseline;
    private EpochOrder? _order;

    private void EvaluateAll(RewardModel model, List<(int[] Chosen, int[] Rejected)> eval,
        List<(string Name, List<(int[] Chosen, int[] Rejected)> Pairs)> sets, int step, MetricsLog metrics)
    {
        var byFile = new Dictionary<string, double>();
        foreach (var (name, pairs) in sets)
        {
            var part = Evaluate(model, pairs, step, null, name);
            byFile[name] = part.Accuracy;
        }
        var pooled = Evaluate(model, eval, step, null);
        metrics.Write(new
        {
            step, eval_loss = pooled.Loss, eval_accuracy = pooled.Accuracy, eval_margin = pooled.MeanMargin, eval_accuracy_by_file = byFile,
            eval_longer_wins = _lengthBaseline.LongerWins, eval_length_ties = _lengthBaseline.Ties,
        });
    }

    public RewardEvaluation Evaluate(RewardModel model, List<(int[] Chosen, int[] Rejected)> eval, int step, MetricsLog? metrics, string name = "all")
    {
        model.eval();
        double lossSum = 0, marginSum = 0;
        var correct = 0;
        using (no_grad())
        {
            for (var i = 0; i < eval.Count; i += config.BatchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = eval.GetRange(i, Math.Min(config.BatchSize, eval.Count - i)); // one batch of token rows at a time
                var (chosen, rejected) = ScorePairs(model, chunk);
                lossSum += PairwiseLoss.Compute(chosen, rejected, config.Margin).item<float>() * chunk.Count;
                marginSum += (chosen - rejected).sum().item<float>();
                correct += (int)(chosen > rejected).sum().item<long>();
            }
        }
        var n = Math.Max(1, eval.Count);
        var evaluation = new RewardEvaluation(lossSum / n, (double)correct / n, marginSum / n, eval.Count);
        if (name == "all") LastEvaluation = evaluation;
        metrics?.Write(new { step, eval_loss = evaluation.Loss, eval_accuracy = evaluation.Accuracy, eval_margin = evaluation.MeanMargin });
        Log($"reward eval step {step} [{name}]: accuracy {evaluation.Accuracy:P1} mean margin {evaluation.MeanMargin:F3} loss {evaluation.Loss:F4} ({eval.Count} pairs)");
        return evaluation;
    }
}
