using DataFlow.Trainer.Model;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Metrics;
using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Distributed;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Training;
using System.Diagnostics;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;
using AdamW = DataFlow.Trainer.Training.AdamW;

namespace DataFlow.Trainer.Ppo;

/// <summary>
/// RLHF with PPO, one iteration at a time: (1) generation: the actor samples responses to a batch of prompts with the
/// KV cache; (2) scoring: the reward model scores each response, the frozen reference gives per-token KL, the critic
/// gives values, GAE turns rewards into advantages and returns; (3) training: several epochs of minibatches of
/// clipped policy loss (+ optional SFT mix) for the actor and clipped value loss for the critic. The true task score
/// of every response is logged beside the learned reward, so reward hacking shows. Prompt order and sampling depend
/// on (seed, iteration) only, and checkpoints hold all four models, both optimizers, the KL coefficient and the
/// reward statistics, so a resumed run continues identically. Under MPI (<see cref="DataParallel"/>) each rank generates and
/// scores its share of the prompts, the rollouts are gathered so that reward normalization, the KL controller, GAE
/// and whitening see the global batch, each minibatch is split over ranks, and gradients are averaged before clipping.
/// Sampling is seeded per global prompt index, so N ranks roll out what one process rolls out.
/// </summary>
public sealed class PpoTrainer(PpoConfig config, ChatTokenizer tokenizer, Action<string> log)
{
    private readonly ChatTemplate _template = ChatTemplate.Default;
    public const string StateFile = "ppo_state.json";
    public const string ActorOptimizerFile = "actor_optimizer.safetensors";
    public const string CriticOptimizerFile = "critic_optimizer.safetensors";

    private sealed record PpoState(int Iteration, double KlCoef, double RewardMean, double RewardVariance, long RewardCount);

    /// <summary>Data-parallel ranks this process is one of (<see cref="DataParallel.Single"/>: one process); rollout_batch and mini_batch are global.</summary>
    public DataParallel DataParallel { get; init; } = DataParallel.Single;

    /// <summary>Where the run's display reads iterations done, tokens, the policy loss, reward and KL (a pipeline stage's task; null: nobody watches).</summary>
    public TaskProgress? Progress { get; init; }

    private Action<string> Log => DataParallel.IsRoot ? log : static _ => { };

    /// <summary>
    /// What PPO maximizes instead of the reward model in <c>reward</c> (a program: verifiable rewards, tests); the
    /// reward folder is then not read, the critic starts from the actor with a fresh value head, and checkpoints hold no reward model.
    /// </summary>
    public IResponseScorer? Scorer { get; init; }

    public TrainingSummary Run(IRejectSink rejects)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var (_, rowsPerRank) = DataParallel.ShareOf(config.MiniBatch, "mini_batch"); // rollout_batch is a multiple of it
        var prompts = LoadPrompts(config.Prompts, rejects);
        var evalPrompts = LoadPrompts(config.EvalPrompts, rejects);
        var testPrompts = LoadPrompts(config.TestPrompts, rejects);
        var ptx = config.PtxCoef > 0 ? SftDataset.Load(config.PtxData, ChatFormat.Auto, _template, tokenizer, config.PtxMaxTokens, rejects).Examples : [];
        if (config.PtxCoef > 0 && ptx.Count == 0)
            throw new InvalidDataException($"ptx_data ({string.Join(", ", config.PtxData)}): no conversation with a target token within {config.PtxMaxTokens} tokens (ptx_max_tokens); every one went to the rejects");
        Log($"ppo: {prompts.Count} training prompts, {evalPrompts.Count} held-out prompts" + (testPrompts.Count > 0 ? $", {testPrompts.Count} test prompts" : ""));

        var store = CheckpointStore.In(config.Output, config.KeepLast);
        var checkpoint = store.Latest() ?? "";
        var resuming = File.Exists(Path.Combine(checkpoint, StateFile));
        using var actor = ModelWeights.LoadTransformer(resuming ? Path.Combine(checkpoint, "actor") : config.Actor);
        using var reference = ModelWeights.LoadTransformer(config.Actor);
        using var rewardModel = Scorer is null ? RewardModel.Load(config.Reward) : null;
        using var critic = resuming ? RewardModel.Load(Path.Combine(checkpoint, "critic"))
            : rewardModel is null ? RewardModel.FromPolicy(config.Actor) : RewardModel.Load(config.Reward);
        ModelTokenizer.Check(actor.Config, $"actor {config.Actor}", tokenizer, "the actor's tokenizer");
        if (rewardModel is not null)
            ModelTokenizer.Check(rewardModel.Config, $"reward model {config.Reward}", tokenizer, $"the actor's tokenizer (from {config.Actor})");
        var scorer = Scorer ?? new RewardModelScorer(rewardModel!, tokenizer, _template);
        foreach (var p in reference.parameters().Concat(rewardModel?.parameters() ?? [])) p.requires_grad = false;
        reference.eval();
        rewardModel?.eval();
        // betas and weight decay of torch's AdamW defaults, which PPO used before it shared the stack's AdamW
        using var actorOptimizer = new AdamW(actor.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: 0.01);
        using var criticOptimizer = new AdamW(critic.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: 0.01);
        var kl = new AdaptiveKlController(config.KlCoef, config.KlTarget, config.KlHorizon);
        var moments = new RunningMoments();
        var start = 0;
        if (resuming)
        {
            actorOptimizer.Load(Path.Combine(checkpoint, ActorOptimizerFile));
            criticOptimizer.Load(Path.Combine(checkpoint, CriticOptimizerFile));
            var state = JsonSerializer.Deserialize<PpoState>(File.ReadAllText(Path.Combine(checkpoint, StateFile)), TrainerJson.Options)!;
            (start, _) = (state.Iteration, 0);
            kl.Restore(state.KlCoef);
            moments.Restore(state.RewardMean, state.RewardVariance, state.RewardCount);
            Log($"ppo: resumed from {checkpoint} at iteration {start}");
        }
        DataParallel.Agree(start, "the iteration to start from");
        DataParallel.Broadcast(actor.parameters().Concat(critic.parameters()));
        if (DataParallel.IsDistributed)
            Log($"ppo: data parallel over {DataParallel.Size} MPI ranks: {config.RolloutBatch / DataParallel.Size} rollouts and {rowsPerRank} rows of each minibatch per rank");
        Directory.CreateDirectory(config.Output);
        using var metrics = DataParallel.IsRoot ? new MetricsLog(Path.Combine(config.Output, "metrics.jsonl"), resuming ? start : -1, stepKey: "iteration") : null;
        if (!resuming && metrics is not null) Evaluate(actor, reference, scorer, evalPrompts, 0, metrics);

        var stopAt = config.StopAfter > 0 ? Math.Min(config.Iterations, start + config.StopAfter) : config.Iterations;
        var stops = SftEvaluation.StopIds(tokenizer, _template);
        var runClock = Stopwatch.StartNew();
        var losses = new List<double>();
        long trainedTokens = 0;
        string? lastCheckpoint = null;
        Progress?.StartSteps(start, stopAt);
        for (var iteration = start; iteration < stopAt; iteration++)
        {
            var random = new Random(DeterministicSeed.Of(config.Seed, iteration));
            torch.manual_seed(config.Seed * 1_000_003L + iteration);
            // group_size answers per drawn prompt (1: every rollout its own prompt).
            var batch = Enumerable.Range(0, config.RolloutBatch / config.GroupSize).Select(_ => prompts[random.Next(prompts.Count)])
                .SelectMany(p => Enumerable.Repeat(p, config.GroupSize)).ToList();

            // (1) Generation: this rank's prompts, each sampled by its own generator seeded by (seed, iteration, global
            // index) and left-padded to the whole batch's width, so N ranks sample exactly what one process samples.
            // The sampled tokens' log-probs at the temperature are the rollout's old log-probs (as TRL takes them).
            var clock = Stopwatch.StartNew();
            actor.eval();
            var (firstRow, rowCount) = DataParallel.ShareOf(batch.Count, "rollout_batch");
            var mine = batch.Skip(firstRow).Take(rowCount).ToList();
            var sampling = new GenerationOptions
            {
                MaxNewTokens = config.MaxNewTokens, Temperature = config.Temperature, StopTokens = [.. stops], Seed = DeterministicSeed.Of(config.Seed, iteration),
            };
            var generated = new TextGenerator(actor).Generate(mine.Select(p => p.Ids).ToList(), sampling, firstRow: firstRow, promptWidth: batch.Max(p => p.Ids.Length));
            var responses = GatherResponses(generated.Select(g => g.Sampled.ToList()).ToList(), batch.Count);
            var generationSeconds = clock.Elapsed.TotalSeconds;
            var generatedTokens = responses.Sum(r => r.Count);

            // (2) Scoring: rollout tensors of the whole batch on every rank; each rank scores its rows, the rows are
            // gathered, and rewards, KL, GAE and whitening are computed over the global batch.
            clock.Restart();
            using var rollout = Rollout.Build(batch.Select(p => p.Ids).ToList(), responses, tokenizer.PadId);
            trainedTokens += rollout.Inputs.numel(); // the global batch of (prompt + response) rows the updates train on
            float[] scores, trueScores;
            Tensor oldLogProbs, refLogProbs, oldValues, advantages, returns, klPerToken;
            using (no_grad())
            {
                (scores, oldLogProbs, refLogProbs, oldValues) = ScoreRollout(generated, reference, critic, scorer, rollout, batch, responses, stops);
                trueScores = batch.Select((p, i) => (float)VerifiableTasks.Score(p.UserText, SftEvaluation.DecodeResponse(responses[i], tokenizer, stops))).ToArray();
                klPerToken = (PpoLosses.KlPerToken(oldLogProbs, refLogProbs) * rollout.Mask).DetachFromDisposeScope();
                var shaped = GroupBaseline(scores, config.GroupSize);
                moments.Update(shaped.Select(s => (double)s).ToList());
                var rewards = (-kl.Value * klPerToken).contiguous();
                var rewardArray = rewards.data<float>().ToArray();
                var valueArray = oldValues.data<float>().ToArray();
                var width = (int)rollout.Inputs.shape[1];
                var advantageArray = new float[rewardArray.Length];
                var returnArray = new float[rewardArray.Length];
                for (var b = 0; b < batch.Count; b++)
                {
                    var (first, last) = (rollout.FirstAction[b], rollout.LastAction[b]);
                    if (last < first) continue;
                    var score = config.NormalizeRewards ? moments.Normalize(shaped[b], config.RewardClip) : Math.Clamp(shaped[b], -config.RewardClip, config.RewardClip);
                    rewardArray[b * width + last] += (float)score;
                    var span = last - first + 1;
                    var (adv, ret) = Gae.Compute(new ArraySegment<float>(rewardArray, b * width + first, span), new ArraySegment<float>(valueArray, b * width + first, span), config.Gamma, config.Lambda);
                    Array.Copy(adv, 0, advantageArray, b * width + first, span);
                    Array.Copy(ret, 0, returnArray, b * width + first, span);
                }
                advantages = tensor(advantageArray, rollout.Mask.shape);
                if (config.WhitenAdvantages) advantages = PpoLosses.Whiten(advantages, rollout.Mask);
                advantages = advantages.DetachFromDisposeScope();
                returns = tensor(returnArray, rollout.Mask.shape).DetachFromDisposeScope();
            }
            var scoringSeconds = clock.Elapsed.TotalSeconds;

            // (3) Training: every rank walks the same minibatches and takes its rows of each; losses are its sums over
            // the minibatch's global token count (PpoLosses' denominator), so averaged gradients are the global ones.
            clock.Restart();
            actor.train();
            critic.train();
            double policyLossSum = 0, valueLossSum = 0, clipFractionSum = 0, approxKlSum = 0, entropySum = 0;
            var updates = 0;
            for (var epoch = 0; epoch < config.PpoEpochs; epoch++)
            {
                var order = Enumerable.Range(0, batch.Count).ToArray();
                random.Shuffle(order);
                for (var m = 0; m < batch.Count; m += config.MiniBatch)
                {
                    using var scope = NewDisposeScope();
                    var minibatch = order.Skip(m).Take(config.MiniBatch).Select(i => (long)i).ToArray();
                    var tokens = DataParallel.MeanDenominator(rollout.Mask.index_select(0, tensor(minibatch)).sum().item<float>());
                    var index = tensor(DataParallel.Rows<long>(minibatch, "mini_batch").ToArray());
                    var inputs = rollout.Inputs.index_select(0, index);
                    var mask = rollout.Mask.index_select(0, index);
                    var logits = actor.forward(inputs);
                    var logProbs = PpoLosses.TokenLogProbs(logits, rollout.Targets.index_select(0, index), config.Temperature);
                    var (policyLoss, clipFraction, approxKl) = PpoLosses.ClippedPolicy(logProbs, oldLogProbs.index_select(0, index), advantages.index_select(0, index), mask, config.ClipRange, tokens);
                    if (iteration >= config.CriticWarmup)
                    {
                        var actorLoss = policyLoss;
                        if (config.PtxCoef > 0)
                        {
                            var ptxBatch = Enumerable.Range(0, config.MiniBatch).Select(_ => ptx[random.Next(ptx.Count)]).ToList();
                            var (ptxInputs, ptxTargets) = SftBatch.Collate(ptxBatch, tokenizer.PadId);
                            var ptxTokens = DataParallel.MeanDenominator(ptxTargets.ne(SftBatch.IgnoreIndex).sum().item<long>());
                            actorLoss = actorLoss + config.PtxCoef * SftBatch.MaskedLossSum(actor.forward(DataParallel.Rows(ptxInputs)), DataParallel.Rows(ptxTargets)) / ptxTokens;
                        }
                        actorOptimizer.ZeroGrad();
                        actorLoss.backward();
                        DataParallel.AverageGradients(actor.parameters());
                        nn.utils.clip_grad_norm_(actor.parameters(), config.GradClip);
                        actorOptimizer.Step(config.ActorLearningRate);
                    }

                    var values = critic.forward(inputs);
                    var valueLoss = PpoLosses.ClippedValue(values, oldValues.index_select(0, index), returns.index_select(0, index), mask, config.ValueClipRange, tokens);
                    criticOptimizer.ZeroGrad();
                    valueLoss.backward();
                    DataParallel.AverageGradients(critic.parameters());
                    nn.utils.clip_grad_norm_(critic.parameters(), config.GradClip);
                    criticOptimizer.Step(config.CriticLearningRate);

                    using (no_grad()) entropySum += PpoLosses.MaskedMean(PpoLosses.Entropy(TextGenerator.Tempered(logits, config.Temperature)), mask, tokens).item<float>();
                    policyLossSum += policyLoss.item<float>();
                    valueLossSum += valueLoss.item<float>();
                    clipFractionSum += clipFraction;
                    approxKlSum += approxKl;
                    updates++;
                }
            }
            var trainingSeconds = clock.Elapsed.TotalSeconds;
            var means = DataParallel.Average(policyLossSum / updates, valueLossSum / updates, clipFractionSum / updates, approxKlSum / updates, entropySum / updates);
            // k1 (the estimator the reward penalty and the controller use) and k3 of KL(actor || reference) per sequence.
            var (sequenceKl, sequenceKlK3) = PpoLosses.SequenceKl(oldLogProbs, refLogProbs, rollout.Mask);
            kl.Update(sequenceKl, batch.Count);
            var explained = PpoLosses.ExplainedVariance(oldValues, returns, rollout.Mask);
            var done = iteration + 1;
            losses.Add(means[0]);
            var record = new
            {
                iteration = done,
                reward_mean = scores.Average(),
                reward_std = Std(scores),
                true_score = trueScores.Average(),
                kl_k1 = sequenceKl,
                kl_k3 = sequenceKlK3,
                kl_coef = kl.Value,
                entropy = means[4],
                clip_fraction = means[2],
                approx_kl = means[3],
                policy_loss = means[0],
                value_loss = means[1],
                explained_variance = explained,
                response_length = responses.Average(r => r.Count),
                generation_s = generationSeconds,
                scoring_s = scoringSeconds,
                training_s = trainingSeconds,
                generation_tokens_per_s = generatedTokens / generationSeconds,
            };
            metrics?.Write(record);
            Progress?.CompleteStep(done, trainedTokens, record.policy_loss, record.reward_mean, sequenceKl);
            Log($"ppo iteration {done}/{config.Iterations}: reward {record.reward_mean:F3} true {record.true_score:P0} kl {sequenceKl:F3} (k3 {sequenceKlK3:F3}, beta {kl.Value:F3}) entropy {record.entropy:F3} clip {record.clip_fraction:F3} value loss {record.value_loss:F4} ev {explained:F2} len {record.response_length:F1} | gen {generationSeconds:F1}s score {scoringSeconds:F1}s train {trainingSeconds:F1}s");
            foreach (var t in new[] { oldLogProbs, refLogProbs, oldValues, advantages, returns, klPerToken }) t.Dispose();

            if (metrics is null) continue; // rank 0 alone evaluates and writes; the others wait in the next collective
            if (done % config.EvalEvery == 0 || done == config.Iterations) Evaluate(actor, reference, scorer, evalPrompts, done, metrics);
            if (done % config.CheckpointEvery == 0 || done == stopAt)
                lastCheckpoint = SaveCheckpoint(store, done, actor, critic, reference, rewardModel, actorOptimizer, criticOptimizer, new PpoState(done, kl.Value, moments.Mean, moments.Variance, moments.Count));
        }
        if (DataParallel.IsDistributed)
            Log($"ppo: replicas of {DataParallel.Size} ranks differ by at most {DataParallel.Divergence(actor.parameters().Concat(critic.parameters())):G3} (0: in lockstep)");
        if (stopAt == config.Iterations && DataParallel.IsRoot)
        {
            // The final policy against the SFT policy on prompts never used for choosing settings (also on a rerun of a finished run).
            if (testPrompts.Count > 0) Evaluate(actor, reference, scorer, testPrompts, config.Iterations, metrics, "test");
            ModelWeights.Save(actor, actor.Config, Path.Combine(config.Output, SftTrainer.FinalDir), tokenizer);
            Log($"ppo: final actor in {Path.Combine(config.Output, SftTrainer.FinalDir)}");
        }
        return new TrainingSummary
        {
            Kind = "ppo", FirstStep = start, Steps = Math.Max(0, stopAt - start), Tokens = trainedTokens, Seconds = runClock.Elapsed.TotalSeconds,
            Losses = losses, LastCheckpoint = lastCheckpoint ?? store.Latest(), FinalEval = _lastEval,
        };
    }

    /// <summary>Scores of rows [First, First + Count) of the batch (null: all), from responses that may end with a stop token.</summary>
    private static float[] ScoreResponses(IResponseScorer scorer, IReadOnlyList<PromptExample> prompts, IReadOnlyList<List<int>> responses, IReadOnlySet<int> stops,
        (int First, int Count)? rows = null) =>
        scorer.Score(prompts, responses.Select(r => r.TakeWhile(id => !stops.Contains(id)).ToArray()).ToList(), rows ?? (0, prompts.Count));

    /// <summary>
    /// Scores, actor (from generation) and reference log-probs at the sampling temperature, and critic values of the
    /// rollout: each rank computes its rows, then all rows are gathered (one all-reduce), so every rank holds the whole batch's numbers.
    /// </summary>
    private (float[] Scores, Tensor OldLogProbs, Tensor RefLogProbs, Tensor OldValues) ScoreRollout(IReadOnlyList<GeneratedSequence> generated, Transformer reference,
        RewardModel critic, IResponseScorer scorer, Rollout rollout, IReadOnlyList<PromptExample> batch, IReadOnlyList<List<int>> responses, IReadOnlySet<int> stops)
    {
        using var scope = NewDisposeScope();
        var rows = DataParallel.ShareOf(batch.Count, "rollout_batch");
        var (inputs, targets, mask) = (DataParallel.Rows(rollout.Inputs), DataParallel.Rows(rollout.Targets), DataParallel.Rows(rollout.Mask));
        var scores = tensor(ScoreResponses(scorer, batch, responses, stops, rows)).unsqueeze(1);
        // Response token t of row b is the action at position FirstAction[b] + t.
        var width = (int)rollout.Mask.shape[1];
        var sampledLogProbs = new float[rows.Count * width];
        for (var r = 0; r < rows.Count; r++)
            generated[r].LogProbs.CopyTo(sampledLogProbs, r * width + rollout.FirstAction[rows.First + r]);
        var oldLogProbs = tensor(sampledLogProbs, [rows.Count, width]);
        var refLogProbs = PpoLosses.TokenLogProbs(reference.forward(inputs), targets, config.Temperature) * mask;
        var oldValues = critic.forward(inputs) * mask;
        var mine = cat([scores, oldLogProbs, refLogProbs, oldValues], 1).contiguous().data<float>().ToArray();
        var all = tensor(DataParallel.GatherRows(mine, batch.Count, 1 + 3 * width), [batch.Count, 1 + 3 * width]);
        return (all.select(1, 0).data<float>().ToArray(),
            all.narrow(1, 1, width).contiguous().DetachFromDisposeScope(),
            all.narrow(1, 1 + width, width).contiguous().DetachFromDisposeScope(),
            all.narrow(1, 1 + 2 * width, width).contiguous().DetachFromDisposeScope());
    }

    /// <summary>Every rank's sampled responses, in global order (lengths and ids packed into rows of floats: ids are exact below 2^24).</summary>
    private List<int>[] GatherResponses(IReadOnlyList<List<int>> mine, int globalRows)
    {
        var width = 1 + config.MaxNewTokens;
        var packed = new float[mine.Count * width];
        for (var r = 0; r < mine.Count; r++)
        {
            packed[r * width] = mine[r].Count;
            for (var i = 0; i < mine[r].Count; i++) packed[r * width + 1 + i] = mine[r][i];
        }
        var all = DataParallel.GatherRows(packed, globalRows, width);
        return Enumerable.Range(0, globalRows).Select(r => Enumerable.Range(0, (int)all[r * width]).Select(i => (int)all[r * width + 1 + i]).ToList()).ToArray();
    }

    /// <summary>
    /// Each score minus the mean of the other answers to the same prompt (RLOO's leave-one-out baseline) when prompts
    /// come in groups of <paramref name="groupSize"/> consecutive rollouts: what is left is how much better this answer
    /// is than the policy's usual answer to that prompt, without the prompt's own difficulty (arithmetic answers get
    /// lower log-probabilities than copied words whether right or wrong). Group size 1 leaves the scores as they are.
    /// </summary>
    public static float[] GroupBaseline(float[] scores, int groupSize)
    {
        if (groupSize <= 1) return scores;
        var shaped = new float[scores.Length];
        for (var start = 0; start < scores.Length; start += groupSize)
        {
            var sum = 0.0;
            for (var i = start; i < start + groupSize; i++) sum += scores[i];
            for (var i = start; i < start + groupSize; i++) shaped[i] = (float)(scores[i] - (sum - scores[i]) / (groupSize - 1));
        }
        return shaped;
    }

    private static double Std(float[] x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, x.Length));
    }

    /// <summary>
    /// Held-out evaluation of the actor, written to metrics.jsonl and the log: greedy answers (learned reward, true
    /// score, KL to the reference) and <c>eval_samples</c> sampled answers per prompt, each compared prompt by prompt
    /// with the same evaluation of the reference (the SFT policy): mean gain, paired-bootstrap CI and sign test.
    /// </summary>
    public PpoEvaluation Evaluate(Transformer actor, Transformer reference, IResponseScorer scorer, IReadOnlyList<PromptExample> prompts,
        int iteration, MetricsLog? metrics, string label = "eval")
    {
        if (prompts.Count == 0) return PpoEvaluation.Empty;
        var evaluation = EvaluatePolicy(actor, reference, scorer, prompts);
        // The baseline is the frozen reference, evaluated once per prompt set and process (a resumed run recomputes it identically).
        if (!_baselines.TryGetValue(label, out var baseline))
            _baselines[label] = baseline = EvaluatePolicy(reference, reference, scorer, prompts);
        var comparison = evaluation.CompareTo(baseline, config.Seed);
        var record = new Dictionary<string, object>
        {
            ["iteration"] = iteration, [$"{label}_reward"] = evaluation.Reward, [$"{label}_true_score"] = evaluation.TrueScore,
            [$"{label}_kl"] = evaluation.Kl, [$"{label}_prompts"] = evaluation.Count,
        };
        if (evaluation.SamplesPerPrompt > 0)
        {
            record[$"{label}_sampled_reward"] = evaluation.SampledReward;
            record[$"{label}_sampled_true_score"] = evaluation.SampledTrueScore;
            record[$"{label}_samples_per_prompt"] = evaluation.SamplesPerPrompt;
        }
        foreach (var (key, value) in comparison.ToMetrics($"{label}_vs_sft_")) record[key] = value;
        metrics?.Write(record);
        foreach (var (key, value) in record)
            if (key != "iteration" && value is IConvertible number and not string) _lastEval[key] = number.ToDouble(System.Globalization.CultureInfo.InvariantCulture);
        Log($"ppo {label} iteration {iteration}: learned reward {evaluation.Reward:F3} true score {evaluation.TrueScore:P1} KL to reference {evaluation.Kl:F3} ({prompts.Count} held-out prompts, greedy)");
        if (evaluation.SamplesPerPrompt > 0)
            Log($"ppo {label} iteration {iteration}: sampled x{evaluation.SamplesPerPrompt} (temperature {config.EvalTemperature}): learned reward {evaluation.SampledReward:F3} true score {evaluation.SampledTrueScore:P1}");
        if (iteration > 0)
        {
            Log($"ppo {label} iteration {iteration} vs SFT, greedy true score {baseline.TrueScore:P1} -> {evaluation.TrueScore:P1}: {comparison.TrueScore.Describe()}");
            Log($"ppo {label} iteration {iteration} vs SFT, greedy learned reward {baseline.Reward:F3} -> {evaluation.Reward:F3}: {comparison.Reward.Describe(1, "", 3)}");
            if (comparison.SampledTrueScore is { } sampled)
                Log($"ppo {label} iteration {iteration} vs SFT, sampled true score {baseline.SampledTrueScore:P1} -> {evaluation.SampledTrueScore:P1}: {sampled.Describe()}");
            if (comparison.SampledReward is { } sampledReward)
                Log($"ppo {label} iteration {iteration} vs SFT, sampled learned reward {baseline.SampledReward:F3} -> {evaluation.SampledReward:F3}: {sampledReward.Describe(1, "", 3)}");
        }
        return evaluation;
    }

    private readonly Dictionary<string, PpoEvaluation> _baselines = [];

    /// <summary>
    /// Per-prompt scores of <paramref name="policy"/>: greedy answers, with their KL to the reference (k1, at the
    /// sampling temperature, as in training), then <c>eval_samples</c> sampled answers from fixed seeds.
    /// </summary>
    public PpoEvaluation EvaluatePolicy(Transformer policy, Transformer reference, IResponseScorer scorer, IReadOnlyList<PromptExample> prompts)
    {
        policy.eval();
        var stops = SftEvaluation.StopIds(tokenizer, _template);
        var (rewards, trueScores, kls) = (new List<double>(), new List<double>(), new List<double>());
        var samples = config.EvalSamples;
        var (sampledRewards, sampledTrue) = (new double[prompts.Count], new double[prompts.Count]);
        var generator = new TextGenerator(policy);
        var greedy = new GenerationOptions { MaxNewTokens = config.MaxNewTokens, Temperature = 0, StopTokens = [.. stops] };
        for (var i = 0; i < prompts.Count; i += config.RolloutBatch)
        {
            using var scope = NewDisposeScope();
            var chunk = prompts.Skip(i).Take(config.RolloutBatch).ToList();
            var ids = chunk.Select(p => p.Ids).ToList();
            var responses = generator.Generate(ids, greedy).Select(r => r.Sampled.ToList()).ToList();
            using var rollout = Rollout.Build(ids, responses, tokenizer.PadId);
            using var noGrad = no_grad();
            rewards.AddRange(ScoreResponses(scorer, chunk, responses, stops).Select(r => (double)r));
            var logp = PpoLosses.TokenLogProbs(policy.forward(rollout.Inputs), rollout.Targets, config.Temperature);
            var refLogp = PpoLosses.TokenLogProbs(reference.forward(rollout.Inputs), rollout.Targets, config.Temperature);
            kls.AddRange((PpoLosses.KlPerToken(logp, refLogp) * rollout.Mask).sum(1).data<float>().ToArray().Select(k => (double)k));
            for (var j = 0; j < chunk.Count; j++) trueScores.Add(VerifiableTasks.Score(chunk[j].UserText, SftEvaluation.DecodeResponse(responses[j], tokenizer, stops)));
            for (var s = 0; s < samples; s++)
            {
                // The same seeds for every policy and evaluation: sampled scores are reproducible and a resumed run logs the same numbers.
                var sampling = new GenerationOptions
                {
                    MaxNewTokens = config.MaxNewTokens, Temperature = config.EvalTemperature, StopTokens = [.. stops],
                    Seed = DeterministicSeed.Of(config.Seed * 1_000_003L + 999_983, s),
                };
                var sampled = generator.Generate(ids, sampling, firstRow: i).Select(r => r.Sampled.ToList()).ToList();
                var scores = ScoreResponses(scorer, chunk, sampled, stops);
                for (var j = 0; j < chunk.Count; j++)
                {
                    sampledRewards[i + j] += scores[j] / samples;
                    sampledTrue[i + j] += VerifiableTasks.Score(chunk[j].UserText, SftEvaluation.DecodeResponse(sampled[j], tokenizer, stops)) / samples;
                }
            }
        }
        return new PpoEvaluation(rewards, trueScores, kls, samples > 0 ? sampledRewards : [], samples > 0 ? sampledTrue : [], samples);
    }

    private List<PromptExample> LoadPrompts(IReadOnlyList<string> paths, IRejectSink rejects)
    {
        var data = SftDataset.Load(paths, ChatFormat.Auto, _template, tokenizer, 1024, rejects);
        return data.Conversations.Select(c =>
        {
            var (prompt, _) = c.SplitLastAnswer();
            return new PromptExample(TokenizedConversation.Encode(_template.RenderPrompt(prompt), tokenizer).Ids, prompt.Messages[^1].Content);
        }).ToList();
    }

    /// <summary>The numbers of the latest evaluation of each label (eval, test), for the run's summary.</summary>
    private readonly Dictionary<string, double> _lastEval = [];

    private string SaveCheckpoint(CheckpointStore store, int iteration, Transformer actor, RewardModel critic, Transformer reference, RewardModel? rewardModel,
        AdamW actorOptimizer, AdamW criticOptimizer, PpoState state)
    {
        return store.Save(iteration, temp =>
        {
            ModelWeights.Save(actor, actor.Config, Path.Combine(temp, "actor"), tokenizer);
            critic.Save(Path.Combine(temp, "critic"), tokenizer);
            ModelWeights.Save(reference, reference.Config, Path.Combine(temp, "reference"), tokenizer);
            rewardModel?.Save(Path.Combine(temp, "reward"), tokenizer);
            actorOptimizer.Save(Path.Combine(temp, ActorOptimizerFile));
            criticOptimizer.Save(Path.Combine(temp, CriticOptimizerFile));
            File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, TrainerJson.Options));
        });
    }
}
