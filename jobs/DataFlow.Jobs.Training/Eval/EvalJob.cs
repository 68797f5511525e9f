using DataFlow.Trainer.Model;
using System.Text.Json;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Tokens;
using DataFlow.Jobs.Training.Pipeline;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Native;
using DataFlow.Trainer.Ppo;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Jobs.Training.Eval;

/// <summary>
/// Evaluates every model a pipeline trained, on held-out data: validation perplexity on the token shards, exact match
/// and true score on the verifiable task (greedy answers), reward-model accuracy on held-out pairs, and the win rate of
/// the PPO policy against the SFT policy judged by the reward model and by the true score, and the paired gain of PPO
/// over SFT on the same prompts with a bootstrap confidence interval and a sign (McNemar) test. Writes OUT/eval.json and
/// OUT/samples-eval.jsonl (prompt and each policy's answer) for the report.
/// </summary>
public sealed class EvalJob(StageReference data, StageReference tokens, StageReference pretrain, StageReference sft,
    StageReference reward, StageReference ppo, EvalOptions options) : IStageJob
{
    public const string ResultFile = "eval.json";
    public const string SamplesFile = "samples-eval.jsonl";

    public int MaxParallelTasks => 1;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var set = data.Resolve(context)!;
        string Model(StageReference r) => r.ResolveModel(context) ?? "";
        var dataset = tokens.Resolve(context) is { } t ? Path.GetDirectoryName(t[0])! : "";
        return
        [
            new TaskPlan(0, [set[1], set[3], dataset, Model(pretrain), Model(sft), Model(reward), Model(ppo)],
                [Path.Combine(context.OutputDir, ResultFile), Path.Combine(context.OutputDir, SamplesFile)]),
        ];
    }

    public void Run(TaskContext context)
    {
        TorchRuntime.EnsureInitialized();
        if (options.Threads > 0) TorchRuntime.SetThreads(options.Threads);
        var inputs = context.Inputs.Select(i => i.Length == 0 ? null : i).ToList();
        var (sftEval, pairsEval, dataset) = (inputs[0]!, inputs[1]!, inputs[2]);
        // One tokenizer for every model compared: the fine-tuned models' (a pretrained model may hold only its base vocabulary).
        var tokenizerFolder = new[] { inputs[4], inputs[6], inputs[5], inputs[3] }.FirstOrDefault(f => f is not null)
            ?? throw new InvalidOperationException("eval: no model to evaluate");
        var tokenizer = ModelTokenizer.Load(tokenizerFolder);
        var template = ChatTemplate.Default;
        var rejects = context.Rejects;
        var conversations = SftDataset.Load([sftEval], ChatFormat.Auto, template, tokenizer, options.MaxTokens, rejects).Conversations
            .Take(options.Prompts).ToList();

        var result = new Dictionary<string, object?>();
        var answers = new Dictionary<string, SftEvaluation>();
        foreach (var (name, folder) in new[] { ("pretrain", inputs[3]), ("sft", inputs[4]), ("ppo", inputs[6]) })
        {
            if (folder is null) continue;
            using var scope = NewDisposeScope();
            using var model = LoadForEval(folder, tokenizer, tokenizerFolder);
            model.eval();
            var perplexity = dataset is null ? (double?)null : ValidationPerplexity(model, dataset, options.ValidationRows);
            var answered = SftEvaluation.ExactMatchOf(model, conversations, tokenizer, template, options.MaxNewTokens, 64);
            answers[name] = answered;
            result[name] = new { validation_perplexity = perplexity, exact_match = answered.ExactMatch, true_score = answered.TrueScore };
            if (perplexity is { } p) context.Stats.SetValue($"{name}.validation_perplexity", p);
            context.Stats.SetValue($"{name}.exact_match", answered.ExactMatch);
            context.Stats.SetValue($"{name}.true_score", answered.TrueScore);
        }

        if (inputs[5] is { } rewardFolder)
        {
            using var scope = NewDisposeScope();
            using var rewardModel = RewardModel.Load(rewardFolder);
            SameTokenizer(rewardFolder, tokenizer, tokenizerFolder);
            ModelTokenizer.Check(rewardModel.Config, $"reward model {rewardFolder}", tokenizer, $"the tokenizer of {tokenizerFolder}");
            rewardModel.eval();
            var pairs = PreferenceDataset.Load([pairsEval], template, tokenizer, options.MaxTokens, rejects);
            var chosen = Score(rewardModel, pairs.Select(p => p.Chosen).ToList(), tokenizer.PadId);
            var rejected = Score(rewardModel, pairs.Select(p => p.Rejected).ToList(), tokenizer.PadId);
            var accuracy = pairs.Count == 0 ? 0 : chosen.Zip(rejected).Average(x => x.First > x.Second ? 1.0 : 0.0);
            result["reward_model"] = new { accuracy, pairs = pairs.Count };
            context.Stats.SetValue("reward_model.accuracy", accuracy);

            if (answers.TryGetValue("sft", out var sftAnswers) && answers.TryGetValue("ppo", out var ppoAnswers))
            {
                var sftScores = ScoreAnswers(rewardModel, conversations, sftAnswers, tokenizer, template);
                var ppoScores = ScoreAnswers(rewardModel, conversations, ppoAnswers, tokenizer, template);
                var byReward = sftScores.Zip(ppoScores).Average(x => Win(x.Second, x.First));
                var byTruth = sftAnswers.Samples.Zip(ppoAnswers.Samples).Average(x => Win(x.Second.TrueScore, x.First.TrueScore));
                result["ppo_vs_sft_win_rate"] = new { by_reward_model = byReward, by_true_score = byTruth, prompts = conversations.Count };
                context.Stats.SetValue("ppo_vs_sft.win_rate_reward_model", byReward);
                context.Stats.SetValue("ppo_vs_sft.win_rate_true_score", byTruth);

                // The same prompts answered by both policies: per-prompt differences, paired-bootstrap CI, sign (McNemar) test.
                var trueGain = PairedComparison.Of(sftAnswers.Samples.Select(s => s.TrueScore).ToList(), ppoAnswers.Samples.Select(s => s.TrueScore).ToList());
                var rewardGain = PairedComparison.Of(sftScores.Select(s => (double)s).ToList(), ppoScores.Select(s => (double)s).ToList());
                result["ppo_vs_sft"] = new { true_score = trueGain, reward = rewardGain };
                context.Stats.SetValue("ppo_vs_sft.true_score_gain", trueGain.MeanDifference);
                context.Stats.SetValue("ppo_vs_sft.true_score_gain_ci_low", trueGain.CiLow);
                context.Stats.SetValue("ppo_vs_sft.true_score_gain_ci_high", trueGain.CiHigh);
                context.Stats.SetValue("ppo_vs_sft.true_score_sign_test_p", trueGain.SignTestP);
                context.Stats.SetValue("ppo_vs_sft.reward_gain", rewardGain.MeanDifference);
                context.Stats.SetValue("ppo_vs_sft.reward_gain_ci_low", rewardGain.CiLow);
                context.Stats.SetValue("ppo_vs_sft.reward_gain_ci_high", rewardGain.CiHigh);
            }
        }

        var json = JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), json);
        using var samples = new StreamWriter(context.CreateOutput(context.Plan.Outputs[1]));
        for (var i = 0; i < Math.Min(options.SamplesShown, conversations.Count); i++)
            foreach (var (name, answered) in answers)
                samples.WriteLine(JsonSerializer.Serialize(new
                {
                    label = name, prompt = answered.Samples[i].Prompt, response = answered.Samples[i].Response,
                    reference = answered.Samples[i].Reference, true_score = answered.Samples[i].TrueScore,
                }));
    }

    /// <summary>Mean next-token loss over up to <paramref name="maxRows"/> validation rows, as a perplexity.</summary>
    private static double ValidationPerplexity(Transformer model, string datasetDir, int maxRows)
    {
        using var dataset = TokenShardDataset.Open(datasetDir, TokenSplit.Validation);
        var rows = (int)Math.Min(maxRows, dataset.RowCount);
        if (rows == 0) return double.NaN;
        var width = dataset.Manifest.SeqLen + 1;
        double total = 0;
        const int batch = 16;
        using var noGrad = no_grad();
        for (var start = 0; start < rows; start += batch)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batch, rows - start);
            var buffer = new int[count * width];
            for (var r = 0; r < count; r++) dataset.ReadRow(start + r, buffer.AsSpan(r * width, width));
            var all = tensor(buffer.Select(x => (long)x).ToArray(), [count, width]);
            total += model.Loss(all[.., ..^1], all[.., 1..]).item<float>() * count;
        }
        return Math.Exp(total / rows);
    }

    private static float[] Score(RewardModel model, IReadOnlyList<int[]> sequences, int padId)
    {
        if (sequences.Count == 0) return [];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tokens, lengths) = RewardTrainer.RightPad(sequences, padId);
        return model.Score(tokens, lengths).data<float>().ToArray();
    }

    /// <summary>Learned reward of each greedy answer, on the conversation as the template renders it (as PPO scores it).</summary>
    private static float[] ScoreAnswers(RewardModel model, IReadOnlyList<Conversation> conversations, SftEvaluation answers,
        IChatTokenizer tokenizer, ChatTemplate template)
    {
        var sequences = conversations.Select((c, i) =>
        {
            var prompt = TokenizedConversation.Encode(template.RenderPrompt(c.SplitLastAnswer().Prompt), tokenizer).Ids.ToList();
            tokenizer.Encode(answers.Samples[i].Response, prompt);
            prompt.Add(tokenizer.SpecialTokenId(template.EndToken));
            tokenizer.Encode(template.TurnSeparator, prompt);
            prompt.Add(tokenizer.SpecialTokenId(template.EndOfTextToken));
            return prompt.ToArray();
        }).ToList();
        return Score(model, sequences, tokenizer.PadId);
    }

    private static double Win(double candidate, double baseline) => candidate > baseline ? 1 : candidate < baseline ? 0 : 0.5;

    /// <summary>
    /// A model to evaluate with <paramref name="tokenizer"/>: its own tokenizer must be the same one; a pretrained model
    /// without the chat tokens gets them as SFT would add them (mean embedding), so its chat answers can be scored.
    /// </summary>
    private static Transformer LoadForEval(string folder, ChatTokenizer tokenizer, string tokenizerFolder)
    {
        SameTokenizer(folder, tokenizer, tokenizerFolder);
        var model = ModelWeights.LoadTransformer(folder);
        ModelTokenizer.Check(model.Config, $"model {folder}", tokenizer, $"the tokenizer of {tokenizerFolder}", allowGrowth: true);
        if (model.Config.VocabSize == tokenizer.VocabSize) return model;
        using (model) return ModelTokenizer.GrowVocabulary(model, tokenizer.VocabSize);
    }

    private static void SameTokenizer(string folder, ChatTokenizer tokenizer, string tokenizerFolder)
    {
        var own = ModelTokenizer.Load(folder);
        // Two model folders hold copies of one tokenizer file: the same vocabulary is the same content, not the same path.
        static string Vocabulary(ChatTokenizer t) => File.Exists(t.Source) ? File.ReadAllText(t.Source) : t.Source;
        if (own.VocabSize != tokenizer.VocabSize || Vocabulary(own) != Vocabulary(tokenizer))
            throw new InvalidDataException($"eval: model {folder} uses tokenizer '{own.Source}' ({own.VocabSize} ids), but {tokenizerFolder} uses '{tokenizer.Source}' ({tokenizer.VocabSize} ids)");
    }
}
