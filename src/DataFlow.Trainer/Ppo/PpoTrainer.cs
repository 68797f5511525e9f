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

namespace DataFlow.Trainer.Ppo;

/// <summary>
/// RLHF with PPO, one iteration at a time: (1) generation: the actor samples responses to a batch of prompts with the
/// KV cache; (2) scoring: the reward model scores each response, the frozen reference gives per-token KL, the critic
/// gives values, GAE turns rewards into advantages and returns; (3) training: several epochs of minibatches of
/// clipped policy loss (+ optional SFT mix) for the actor and clipped value loss for the critic. The true task score
/// of every response is logged beside the learned reward, so reward hacking shows. Prompt order and sampling depend
/// on (seed, iteration) only, and checkpoints hold all four models, both optimizers, the KL coefficient and the
/// reward statistics, so a resumed run continues identically.
/// </summary>
public sealed class PpoTrainer(PpoConfig config, IChatTokenizer tokenizer, Action<string> log)
{
    private readonly ChatTemplate _template = ChatTemplate.Default;
    public const string StateFile = "ppo_state.json";

    private sealed record PpoState(int Iteration, double KlCoef, double RewardMean, double RewardVariance, long RewardCount);

    public void Run(IRejectSink rejects)
    {
        config.Validate();
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        var prompts = LoadPrompts(config.Prompts, rejects);
        var evalPrompts = LoadPrompts(config.EvalPrompts, rejects);
        var ptx = config.PtxCoef > 0 ? SftDataset.Load(config.PtxData, ChatFormat.Auto, _template, tokenizer, 128, rejects).Examples : [];
        log($"ppo: {prompts.Count} training prompts, {evalPrompts.Count} held-out prompts");

        var checkpoint = Path.Combine(config.Output, SftTrainer.CheckpointDir);
        var resuming = File.Exists(Path.Combine(checkpoint, StateFile));
        using var actor = ModelWeights.LoadTransformer(resuming ? Path.Combine(checkpoint, "actor") : config.Actor);
        using var reference = ModelWeights.LoadTransformer(config.Actor);
        using var rewardModel = RewardModel.Load(config.Reward);
        using var critic = RewardModel.Load(resuming ? Path.Combine(checkpoint, "critic") : config.Reward);
        foreach (var p in reference.parameters().Concat(rewardModel.parameters())) p.requires_grad = false;
        reference.eval();
        rewardModel.eval();
        using var actorOptimizer = optim.AdamW(actor.parameters(), lr: config.ActorLearningRate);
        using var criticOptimizer = optim.AdamW(critic.parameters(), lr: config.CriticLearningRate);
        var kl = new AdaptiveKlController(config.KlCoef, config.KlTarget, config.KlHorizon);
        var moments = new RunningMoments();
        var start = 0;
        if (resuming)
        {
            actorOptimizer.load_py(Path.Combine(checkpoint, "actor_optimizer.pt"));
            criticOptimizer.load_py(Path.Combine(checkpoint, "critic_optimizer.pt"));
            var state = JsonSerializer.Deserialize<PpoState>(File.ReadAllText(Path.Combine(checkpoint, StateFile)), TrainerJson.Options)!;
            (start, _) = (state.Iteration, 0);
            kl.Restore(state.KlCoef);
            moments.Restore(state.RewardMean, state.RewardVariance, state.RewardCount);
            log($"ppo: resumed from {checkpoint} at iteration {start}");
        }
        Directory.CreateDirectory(config.Output);
        using var metrics = new StreamWriter(Path.Combine(config.Output, "metrics.jsonl"), append: resuming);
        if (!resuming) Evaluate(actor, reference, rewardModel, evalPrompts, 0, metrics);

        var stopAt = config.StopAfter > 0 ? Math.Min(config.Iterations, start + config.StopAfter) : config.Iterations;
        var stops = SftEvaluation.StopIds(tokenizer, _template);
        for (var iteration = start; iteration < stopAt; iteration++)
        {
            var random = new Random(DeterministicSeed.Of(config.Seed, iteration));
            torch.manual_seed(config.Seed * 1_000_003L + iteration);
            var batch = Enumerable.Range(0, config.RolloutBatch).Select(_ => prompts[random.Next(prompts.Count)]).ToList();

            // (1) Generation.
            var clock = Stopwatch.StartNew();
            actor.eval();
            var generator = new Generator((ulong)(config.Seed * 1_000_003L + iteration));
            var responses = ResponseGenerator.Generate(actor, batch.Select(p => p.Ids).ToList(),
                new SamplingOptions { MaxNewTokens = config.MaxNewTokens, Temperature = config.Temperature }, stops, tokenizer.PadId, generator);
            var generationSeconds = clock.Elapsed.TotalSeconds;
            var generatedTokens = responses.Sum(r => r.Count);

            // (2) Scoring: rollout tensors, rewards, KL, values, GAE.
            clock.Restart();
            using var rollout = Rollout.Build(batch.Select(p => p.Ids).ToList(), responses, tokenizer.PadId);
            float[] scores, trueScores;
            Tensor oldLogProbs, refLogProbs, oldValues, advantages, returns, klPerToken;
            using (no_grad())
            {
                scores = ScoreResponses(rewardModel, batch, responses, stops);
                trueScores = batch.Select((p, i) => (float)VerifiableTasks.Score(p.UserText, SftEvaluation.DecodeResponse(responses[i], tokenizer, stops))).ToArray();
                oldLogProbs = PpoLosses.TokenLogProbs(actor.forward(rollout.Inputs), rollout.Targets).DetachFromDisposeScope();
                refLogProbs = PpoLosses.TokenLogProbs(reference.forward(rollout.Inputs), rollout.Targets).DetachFromDisposeScope();
                oldValues = (critic.forward(rollout.Inputs) * rollout.Mask).DetachFromDisposeScope();
                klPerToken = (PpoLosses.KlPerToken(oldLogProbs, refLogProbs) * rollout.Mask).DetachFromDisposeScope();
                moments.Update(scores.Select(s => (double)s).ToList());
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
                    var score = config.NormalizeRewards ? moments.Normalize(scores[b], config.RewardClip) : Math.Clamp(scores[b], -config.RewardClip, config.RewardClip);
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

            // (3) Training.
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
                    var index = tensor(order.Skip(m).Take(config.MiniBatch).Select(i => (long)i).ToArray());
                    var inputs = rollout.Inputs.index_select(0, index);
                    var mask = rollout.Mask.index_select(0, index);
                    var logits = actor.forward(inputs);
                    var logProbs = PpoLosses.TokenLogProbs(logits, rollout.Targets.index_select(0, index));
                    var (policyLoss, clipFraction, approxKl) = PpoLosses.ClippedPolicy(logProbs, oldLogProbs.index_select(0, index), advantages.index_select(0, index), mask, config.ClipRange);
                    if (iteration >= config.CriticWarmup)
                    {
                        var actorLoss = policyLoss;
                        if (config.PtxCoef > 0)
                        {
                            var ptxBatch = Enumerable.Range(0, config.MiniBatch).Select(_ => ptx[random.Next(ptx.Count)]).ToList();
                            var (ptxInputs, ptxTargets) = SftBatch.Collate(ptxBatch, tokenizer.PadId);
                            actorLoss = actorLoss + config.PtxCoef * SftBatch.MaskedLoss(actor.forward(ptxInputs), ptxTargets);
                        }
                        actorOptimizer.zero_grad();
                        actorLoss.backward();
                        nn.utils.clip_grad_norm_(actor.parameters(), config.GradClip);
                        actorOptimizer.step();
                    }

                    var values = critic.forward(inputs);
                    var valueLoss = PpoLosses.ClippedValue(values, oldValues.index_select(0, index), returns.index_select(0, index), mask, config.ValueClipRange);
                    criticOptimizer.zero_grad();
                    valueLoss.backward();
                    nn.utils.clip_grad_norm_(critic.parameters(), config.GradClip);
                    criticOptimizer.step();

                    using (no_grad()) entropySum += PpoLosses.MaskedMean(PpoLosses.Entropy(logits), mask).item<float>();
                    policyLossSum += policyLoss.item<float>();
                    valueLossSum += valueLoss.item<float>();
                    clipFractionSum += clipFraction;
                    approxKlSum += approxKl;
                    updates++;
                }
            }
            var trainingSeconds = clock.Elapsed.TotalSeconds;
            var sequenceKl = klPerToken.sum(1).mean().item<float>();
            kl.Update(sequenceKl, batch.Count);
            var explained = PpoLosses.ExplainedVariance(oldValues, returns, rollout.Mask);
            var done = iteration + 1;
            var record = new
            {
                iteration = done,
                reward_mean = scores.Average(),
                reward_std = Std(scores),
                true_score = trueScores.Average(),
                kl = sequenceKl,
                kl_coef = kl.Value,
                entropy = entropySum / updates,
                clip_fraction = clipFractionSum / updates,
                approx_kl = approxKlSum / updates,
                policy_loss = policyLossSum / updates,
                value_loss = valueLossSum / updates,
                explained_variance = explained,
                response_length = responses.Average(r => r.Count),
                generation_s = generationSeconds,
                scoring_s = scoringSeconds,
                training_s = trainingSeconds,
                generation_tokens_per_s = generatedTokens / generationSeconds,
            };
            metrics.WriteLine(JsonSerializer.Serialize(record));
            metrics.Flush();
            log($"ppo iteration {done}/{config.Iterations}: reward {record.reward_mean:F3} true {record.true_score:P0} kl {sequenceKl:F3} (beta {kl.Value:F3}) entropy {record.entropy:F3} clip {record.clip_fraction:F3} value loss {record.value_loss:F4} ev {explained:F2} len {record.response_length:F1} | gen {generationSeconds:F1}s score {scoringSeconds:F1}s train {trainingSeconds:F1}s");
            foreach (var t in new[] { oldLogProbs, refLogProbs, oldValues, advantages, returns, klPerToken }) t.Dispose();

            if (done % config.EvalEvery == 0 || done == config.Iterations) Evaluate(actor, reference, rewardModel, evalPrompts, done, metrics);
            if (done % config.SaveEvery == 0 || done == stopAt)
                SaveCheckpoint(checkpoint, actor, critic, reference, rewardModel, actorOptimizer, criticOptimizer, new PpoState(done, kl.Value, moments.Mean, moments.Variance, moments.Count));
        }
        if (stopAt == config.Iterations)
        {
            ModelWeights.Save(actor, actor.Config, Path.Combine(config.Output, SftTrainer.FinalDir));
            log($"ppo: final actor in {Path.Combine(config.Output, SftTrainer.FinalDir)}");
        }
    }

    /// <summary>
    /// Learned reward of each response, read where the reward model was trained to read it: on the conversation as
    /// the template renders it (response text, <c>&lt;|end|&gt;</c>, turn separator, <c>&lt;|endoftext|&gt;</c>),
    /// whether or not the sampled response reached its stop token.
    /// </summary>
    private float[] ScoreResponses(RewardModel rewardModel, IReadOnlyList<PromptExample> prompts, IReadOnlyList<List<int>> responses, IReadOnlySet<int> stops)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var closing = new List<int> { tokenizer.SpecialTokenId(_template.EndToken) };
        tokenizer.Encode(_template.TurnSeparator, closing);
        closing.Add(tokenizer.SpecialTokenId(_template.EndOfTextToken));
        var sequences = prompts.Select((p, i) => p.Ids.Concat(responses[i].TakeWhile(id => !stops.Contains(id))).Concat(closing).ToArray()).ToList();
        var (tokens, lengths) = RewardTrainer.RightPad(sequences, tokenizer.PadId);
        return rewardModel.Score(tokens, lengths).data<float>().ToArray();
    }

    private static double Std(float[] x)
    {
        var mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, x.Length));
    }

    /// <summary>Greedy answers to held-out prompts: mean learned reward, true score and KL of the answer to the reference.</summary>
    public PpoEvaluation Evaluate(Transformer actor, Transformer reference, RewardModel rewardModel, IReadOnlyList<PromptExample> prompts, int iteration, StreamWriter? metrics)
    {
        if (prompts.Count == 0) return new PpoEvaluation(0, 0, 0);
        actor.eval();
        var stops = SftEvaluation.StopIds(tokenizer, _template);
        double rewardSum = 0, trueSum = 0, klSum = 0;
        for (var i = 0; i < prompts.Count; i += config.RolloutBatch)
        {
            using var scope = NewDisposeScope();
            var chunk = prompts.Skip(i).Take(config.RolloutBatch).ToList();
            var responses = ResponseGenerator.Generate(actor, chunk.Select(p => p.Ids).ToList(), new SamplingOptions { MaxNewTokens = config.MaxNewTokens }, stops, tokenizer.PadId);
            using var rollout = Rollout.Build(chunk.Select(p => p.Ids).ToList(), responses, tokenizer.PadId);
            using var noGrad = no_grad();
            rewardSum += ScoreResponses(rewardModel, chunk, responses, stops).Sum();
            var logp = PpoLosses.TokenLogProbs(actor.forward(rollout.Inputs), rollout.Targets);
            var refLogp = PpoLosses.TokenLogProbs(reference.forward(rollout.Inputs), rollout.Targets);
            klSum += (PpoLosses.KlPerToken(logp, refLogp) * rollout.Mask).sum().item<float>();
            for (var j = 0; j < chunk.Count; j++) trueSum += VerifiableTasks.Score(chunk[j].UserText, SftEvaluation.DecodeResponse(responses[j], tokenizer, stops));
        }
        var evaluation = new PpoEvaluation(rewardSum / prompts.Count, trueSum / prompts.Count, klSum / prompts.Count);
        metrics?.WriteLine(JsonSerializer.Serialize(new { iteration, eval_reward = evaluation.Reward, eval_true_score = evaluation.TrueScore, eval_kl = evaluation.Kl }));
        metrics?.Flush();
        log($"ppo eval iteration {iteration}: learned reward {evaluation.Reward:F3} true score {evaluation.TrueScore:P1} KL to reference {evaluation.Kl:F3} ({prompts.Count} held-out prompts, greedy)");
        return evaluation;
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

    private static void SaveCheckpoint(string directory, Transformer actor, RewardModel critic, Transformer reference, RewardModel rewardModel,
        OptimizerHelper actorOptimizer, OptimizerHelper criticOptimizer, PpoState state)
    {
        var temp = directory + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, true);
        ModelWeights.Save(actor, actor.Config, Path.Combine(temp, "actor"));
        critic.Save(Path.Combine(temp, "critic"));
        ModelWeights.Save(reference, reference.Config, Path.Combine(temp, "reference"));
        rewardModel.Save(Path.Combine(temp, "reward"));
        actorOptimizer.save_py(Path.Combine(temp, "actor_optimizer.pt"));
        criticOptimizer.save_py(Path.Combine(temp, "critic_optimizer.pt"));
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, TrainerJson.Options));
        if (Directory.Exists(directory)) Directory.Delete(directory, true);
        Directory.Move(temp, directory);
    }
}
