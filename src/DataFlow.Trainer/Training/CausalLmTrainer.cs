using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Data;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Training;

/// <summary>
/// The training loop for next-token prediction, written out step by step (nanoGPT's train.py shape):
/// learning rate from the schedule, gradient accumulation over micro-batches, NaN/inf check, gradient clipping,
/// AdamW, periodic evaluation and checkpoints. Targets of -100 are ignored, so SFT reuses it with masked prompts.
/// Outputs in <c>outputDir</c>: <c>checkpoints/step-N/</c>, <c>metrics.jsonl</c>, <c>loss.png</c>.
/// </summary>
public sealed class CausalLmTrainer(
    Transformer model,
    TrainingOptions options,
    ITokenBatches train,
    ITokenBatches? validation,
    string outputDir,
    TokenizerInfo? tokenizer = null,
    string kind = "pretrain")
{
    public const string MetricsFile = "metrics.jsonl";
    public const string PlotFile = "loss.png";

    public Transformer Model => model;

    public CheckpointStore Checkpoints { get; } = CheckpointStore.In(outputDir, options.KeepLast);

    /// <summary>Progress lines (defaults to the console).</summary>
    public TextWriter Log { get; init; } = Console.Out;

    /// <summary>Called after each optimizer step with the number of steps done (tests use it to inject faults).</summary>
    public Action<long>? AfterStep { get; init; }

    /// <summary>
    /// Data-parallel ranks this process is one of (<see cref="DataParallel.Single"/>: one process). Over MPI,
    /// <c>train</c> must be this rank's <see cref="RankShardedBatches"/>; gradients and the logged loss are averaged
    /// over ranks; rank 0 alone writes logs, metrics and checkpoints.
    /// </summary>
    public DataParallel DataParallel { get; init; } = DataParallel.Single;

    /// <summary>Where the run's display reads steps done, tokens and the last loss (a pipeline stage's task; null: nobody watches).</summary>
    public TaskProgress? Progress { get; init; }

    /// <summary>The tokenizer that made the data, written into every checkpoint so each is model + tokenizer (null: none written).</summary>
    public DataFlow.Text.Chat.ChatTokenizer? TokenizerFiles { get; init; }

    public TrainingSummary Run(bool resume = false, CancellationToken cancellation = default)
    {
        options.Validate();
        TorchRuntime.SetThreads(options.Threads);
        MemoryBudget.Check(model.Config, train.BatchSize, train.SeqLen);
        if (train.SeqLen > model.Config.ContextLength)
            throw new ArgumentException($"the data's seq_len {train.SeqLen} exceeds the model's context_length {model.Config.ContextLength}");

        using var optimizer = new AdamW(model.named_parameters(), options.Beta1, options.Beta2, options.Eps, options.WeightDecay);
        long step = 0, tokensSeen = 0;
        if (resume && Checkpoints.Latest() is { } latest)
        {
            var state = TrainingCheckpoint.ReadState(latest);
            if (state.Kind != kind) throw new InvalidDataException($"{latest}: a '{state.Kind}' checkpoint cannot resume a '{kind}' run");
            CheckTokenizer(state.Tokenizer, latest);
            TrainingCheckpoint.LoadWeights(latest, model);
            TrainingCheckpoint.LoadOptimizer(latest, optimizer, state);
            if (state.DataPosition is { } position) train.Position = position;
            TrainingCheckpoint.RestoreRng(state.RngState);
            (step, tokensSeen) = (state.Step, state.TokensSeen);
            Log.WriteLine($"resumed from {latest} at step {step}");
        }
        else if (resume)
        {
            Log.WriteLine($"no checkpoint in {Checkpoints.Directory}; starting from step 0");
        }

        // bf16: a bfloat16 copy computes forward/backward; the float32 model stays the master that AdamW updates and checkpoints save.
        using var compute = options.Bf16 ? new Transformer(model.Config) : null;
        compute?.to(ScalarType.BFloat16);
        var computeParameters = compute?.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.parameter).ToArray();
        using var gradientSum = computeParameters is null ? null : new Float32GradientSum(computeParameters); // accumulation in float32
        var network = compute ?? model;
        var firstStep = step;
        var schedule = options.Schedule;
        var parameters = optimizer.Parameters.ToArray();
        var losses = new List<double>();
        var tokensPerStep = (long)train.BatchSize * train.SeqLen * options.GradAccumSteps * DataParallel.Size;
        var isRoot = DataParallel.IsRoot;
        var log = isRoot ? Log : TextWriter.Null;
        // MFU: the model's FLOPs per token (PaLM's 6N + 12·L·d·T) x tokens/s over the matmul peak of all ranks.
        var flopsPerToken = model.Config.TrainingFlopsPerToken(train.SeqLen);
        var peak = isRoot ? PeakFlops(options, network.Config, train, log) : (double?)null;
        double? Mfu(double tokensPerSecond) => peak is { } p && p > 0 ? flopsPerToken * tokensPerSecond / (p * DataParallel.Size) : null;
        DataParallel.Broadcast(parameters);
        double? lastVal = null;
        string? lastCheckpoint = null;
        var clock = Stopwatch.StartNew();
        var windowClock = Stopwatch.StartNew();
        long windowTokens = 0;
        using var metrics = isRoot ? new MetricsLog(Path.Combine(outputDir, MetricsFile), resume ? step : -1) : null;
        model.train();
        Progress?.StartSteps(step, options.MaxSteps);

        while (step < options.MaxSteps)
        {
            cancellation.ThrowIfCancellationRequested();
            var lr = schedule.At(step);
            double loss, gradNorm;
            using (var scope = NewDisposeScope())
            {
                var lossSum = 0.0;
                if (computeParameters is not null)
                    using (no_grad())
                        for (var i = 0; i < parameters.Length; i++) computeParameters[i].copy_(parameters[i]);
                for (var micro = 0; micro < options.GradAccumSteps; micro++)
                {
                    var (inputs, targets) = train.Next();
                    var microLoss = network.Loss(inputs, targets);
                    (microLoss / options.GradAccumSteps).backward();
                    gradientSum?.AddAndClear();
                    lossSum += microLoss.item<float>();
                }
                lossSum = DataParallel.Average(lossSum);
                loss = lossSum / options.GradAccumSteps;
                if (!double.IsFinite(loss)) throw Diverged(step, $"loss is {loss}");
                if (computeParameters is null)
                {
                    DataParallel.AverageGradients(parameters);
                    gradNorm = nn.utils.clip_grad_norm_(parameters, options.GradClip > 0 ? options.GradClip : double.MaxValue);
                    if (!double.IsFinite(gradNorm)) throw Diverged(step, $"gradient norm is {gradNorm}");
                    optimizer.Step(lr);
                    optimizer.ZeroGrad();
                }
                else
                {
                    var gradients = gradientSum!.Sums;
                    DataParallel.AverageInPlace(gradients); // averaged in float32, after the bf16 backward
                    gradNorm = ClipInPlace(gradients, options.GradClip);
                    if (!double.IsFinite(gradNorm)) throw Diverged(step, $"gradient norm is {gradNorm}");
                    optimizer.Step(lr, gradients);
                    gradientSum.Zero();
                }
            }
            step++;
            tokensSeen += tokensPerStep;
            windowTokens += tokensPerStep;
            losses.Add(loss);
            Progress?.CompleteStep(step, (step - firstStep) * tokensPerStep, loss);
            metrics?.Write(new JsonObject { ["step"] = step, ["loss"] = loss, ["lr"] = lr, ["grad_norm"] = gradNorm, ["tokens"] = tokensSeen });

            if (step % options.LogEvery == 0 || step == options.MaxSteps)
            {
                var rate = windowTokens / Math.Max(1e-9, windowClock.Elapsed.TotalSeconds);
                var mfu = Mfu(rate) is { } u ? string.Create(CultureInfo.InvariantCulture, $" MFU {100 * u:F1}%") : "";
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step}/{options.MaxSteps} loss {loss:F4} lr {lr:E2} grad_norm {gradNorm:F3} {rate:F0} tok/s{mfu}"));
                windowClock.Restart();
                windowTokens = 0;
            }
            AfterStep?.Invoke(step);

            if (validation is not null && (step % options.EvalEvery == 0 || step == options.MaxSteps))
            {
                lastVal = Evaluate(validation, options.EvalBatches);
                metrics?.Write(new JsonObject { ["step"] = step, ["val_loss"] = lastVal, ["val_ppl"] = Math.Exp(lastVal.Value) });
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step}: val_loss {lastVal:F4} val_ppl {Math.Exp(lastVal.Value):F2}"));
            }
            if (isRoot && (step % options.CheckpointEvery == 0 || step == options.MaxSteps))
            {
                var state = new CheckpointState
                {
                    Kind = kind,
                    Model = model.Config,
                    Tokenizer = tokenizer,
                    Step = step,
                    TokensSeen = tokensSeen,
                    OptimizerStepCount = optimizer.StepCount,
                    DataPosition = train.Position,
                    RngState = TrainingCheckpoint.CaptureRng(),
                    LastTrainLoss = loss,
                    LastValLoss = lastVal,
                    Options = JsonSerializer.SerializeToNode(options, TrainingCheckpoint.Json),
                };
                lastCheckpoint = Checkpoints.Save(step, folder =>
                {
                    TrainingCheckpoint.Write(folder, model, optimizer, state);
                    if (TokenizerFiles is { } files) ModelTokenizer.Save(folder, files); // every checkpoint is model + tokenizer
                });
            }
        }

        if (metrics is not null && File.Exists(metrics.Path)) LossCurvePlot.Save(metrics.Path, Path.Combine(outputDir, PlotFile), $"{kind}: {model.Config.ParameterCount:N0} parameters");
        var seconds = clock.Elapsed.TotalSeconds;
        return new TrainingSummary
        {
            Kind = kind, FirstStep = firstStep, Steps = step - firstStep, Tokens = (step - firstStep) * tokensPerStep,
            Seconds = seconds, Losses = losses, LastCheckpoint = lastCheckpoint ?? Checkpoints.Latest(),
            PeakFlops = peak, Mfu = step > firstStep ? Mfu((step - firstStep) * tokensPerStep / Math.Max(1e-9, seconds)) : null,
            FinalEval = lastVal is { } v ? new Dictionary<string, double> { ["val_loss"] = v, ["val_ppl"] = Math.Exp(v) } : new Dictionary<string, double>(),
        };
    }

    /// <summary>The configured peak (<see cref="TrainingOptions.PeakGflops"/>), or one measured now at the model's shapes in its compute dtype.</summary>
    private static double? PeakFlops(TrainingOptions options, ModelConfig config, ITokenBatches train, TextWriter log)
    {
        if (options.PeakGflops > 0) return options.PeakGflops * 1e9;
        var dtype = options.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32;
        var clock = Stopwatch.StartNew();
        try
        {
            var peak = MatmulPeak.ForTraining(config, train.BatchSize, train.SeqLen, dtype);
            var best = peak.PerShape.MaxBy(t => t.Flops)!;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"matmul peak {peak.Flops / 1e9:F1} GFLOP/s ({(options.Bf16 ? "bf16" : "fp32")}, {best.Shape.Name} {best.Shape}; {peak.PerShape.Count} shapes measured in {clock.Elapsed.TotalSeconds:F2} s; training.peak_gflops sets it instead)"));
            return peak.Flops;
        }
        catch (Exception e) when (e is ExternalException or NotSupportedException or ArgumentException)
        {
            log.WriteLine($"matmul peak not measured ({e.Message.Split('\n')[0]}); MFU is not reported (set training.peak_gflops)");
            return null;
        }
    }

    /// <summary>Mean loss over the first <paramref name="batches"/> batches of <paramref name="data"/> (the same batches every time).</summary>
    public double Evaluate(ITokenBatches data, int batches)
    {
        data.Position = new JsonObject { ["epoch"] = 0, ["step"] = 0 };
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var sum = 0.0;
            for (var i = 0; i < batches; i++)
            {
                using var scope = NewDisposeScope();
                var (inputs, targets) = data.Next();
                sum += model.Loss(inputs, targets).item<float>();
            }
            return sum / batches;
        }
        finally
        {
            model.train();
        }
    }

    /// <summary>Global L2 norm of <paramref name="gradients"/>, scaled in place to at most <paramref name="maxNorm"/> (0 = no clipping).</summary>
    private static double ClipInPlace(Tensor[] gradients, double maxNorm)
    {
        using var scope = NewDisposeScope();
        var total = Math.Sqrt(gradients.Sum(g => g.pow(2).sum().item<float>()));
        if (maxNorm > 0 && total > maxNorm)
            foreach (var g in gradients) g.mul_(maxNorm / (total + 1e-6));
        return total;
    }

    private void CheckTokenizer(TokenizerInfo? saved, string checkpoint)
    {
        if (saved is null || tokenizer is null) return;
        if (saved.SeqLen != tokenizer.SeqLen)
            throw new InvalidDataException($"{checkpoint}: trained on sequences of {saved.SeqLen} tokens, but the data now has seq_len {tokenizer.SeqLen}");
        if (saved.Name != tokenizer.Name || saved.VocabSize != tokenizer.VocabSize || saved.EosId != tokenizer.EosId)
            throw new InvalidDataException($"{checkpoint}: trained on tokenizer '{saved.Name}' (vocab {saved.VocabSize}, eos {saved.EosId}), but the data now uses '{tokenizer.Name}' (vocab {tokenizer.VocabSize}, eos {tokenizer.EosId})");
    }

    private TrainingDivergedException Diverged(long step, string what) =>
        new($"training stopped at step {step + 1}: {what}. Nothing was saved for this step; the last good checkpoint is " +
            (Checkpoints.Latest() ?? "none (no checkpoint was written yet)") + ". Lower learning_rate or raise warmup_steps, then resume.");
}
