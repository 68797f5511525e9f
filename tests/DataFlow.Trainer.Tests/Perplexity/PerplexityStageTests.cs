using System.Text;
using System.Text.Json;
using DataFlow.Engine.Config;
using DataFlow.Jobs.Training.Perplexity;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Scoring;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Interop;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Perplexity;

public sealed class PerplexityStageTests
{
    /// <summary>
    /// By hand: a model whose weights are all zero gives every one of the V = 262 byte-vocabulary ids probability 1/V, so
    /// the per-token perplexity is exactly V and the per-char perplexity V^(bytes / chars): 262 for ASCII, 262^(13/11) for
    /// "héllo wörld", 262^3 for Chinese. A document cut at max_tokens = 20 scores 20 tokens over the 20 characters they cover.
    /// </summary>
    [Fact]
    public void A_uniform_model_scores_the_vocabulary_size_per_token_and_its_byte_share_per_char()
    {
        var dir = TinyModels.TempDir("ppl-uniform");
        var model = PerplexityFixtures.UniformByteModel(dir);
        string[] texts = ["hello world", "héllo wörld", "机器学习", new string('a', 50), ""];
        var corpus = PerplexityFixtures.Corpus(dir, "docs.jsonl", texts);
        var (kept, removed, stats) = PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {corpus}
                model: {model}
                max_tokens: 20
                batch_documents: 2
                keep_removed: true
            """);
        // Batches of two documents (the last one alone) come back in input order.
        Assert.Equal(["d000", "d001", "d002", "d003"], kept.Keys);
        const double v = 262;
        // float32 log-softmax: about 1e-7 relative in the mean NLL.
        void Near(double expected, string id, string column) => Assert.Equal(expected, Perplexity(kept[id], column), expected * 1e-5);
        Near(v, "d000", "perplexity");
        Near(v, "d000", "perplexity_per_char");
        Near(v, "d001", "perplexity");
        Near(Math.Pow(v, 13.0 / 11), "d001", "perplexity_per_char");
        Near(Math.Pow(v, 3), "d002", "perplexity_per_char");
        Near(v, "d003", "perplexity_per_char");
        Assert.Equal("perplexity.empty", removed["d004"]["reason"]);
        Assert.Equal(11 + 13 + 12 + 20, stats.Counter("perplexity_tokens_scored"));
        Assert.Equal(11 + 11 + 4 + 20, stats.Counter("perplexity_chars_scored"));
        Assert.Equal(1, stats.Counter("perplexity_docs_truncated"));
        Assert.Equal(4, stats.Counter("perplexity_histogram.256")); // 262 lies in [256, 362)
    }

    /// <summary>
    /// Independent reference: the model exported as a Hugging Face folder and run by tests/reference/hf_llama_forward.py
    /// (numpy, float64); the NLL of each document is summed here from those logits (log-sum-exp by hand), window by
    /// window, and must give the perplexities the stage wrote. One document spans three windows of the 64-token context.
    /// </summary>
    [NumpyReferenceFact]
    public void Stage_perplexities_equal_exp_mean_nll_from_the_numpy_llama_forward()
    {
        Assert.True(NumpyReferenceFactAttribute.Available.Value, $"{NumpyReferenceFactAttribute.Python} with numpy is required (DATAFLOW_REQUIRE_PYTHON=1) but missing");
        var (folder, config) = HfFixtures.ModelFolder("ppl-ref", TinyModels.Config() with { ContextLength = 64 }, seed: 17);
        HfFixtures.Sharpen(folder, scale: 3);
        var dir = Path.GetDirectoryName(folder)!;
        var hf = Path.Combine(dir, "hf");
        HfExport.Run(folder, hf);
        var lines = HfFixtures.MixedLines(400).Where(l => l.Length > 20).ToList();
        string[] texts = [lines[0], lines[^5], string.Join(" ", lines.Skip(40).Take(30)), "机器学习是人工智能的一个分支。"];
        var corpus = PerplexityFixtures.Corpus(dir, "docs.jsonl", texts);
        var (kept, _, _) = PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {corpus}
                model: {folder}
                max_tokens: 150
                batch_tokens: 100
            """);
        var tokenizer = ModelTokenizer.Load(folder);
        var script = Path.Combine(HfFixtures.RepoRoot(), "tests", "reference", "hf_llama_forward.py");
        var windows = 0;
        for (var d = 0; d < texts.Length; d++)
        {
            var ids = new List<int>();
            tokenizer.Encode(texts[d], ids);
            var scored = Math.Min(ids.Count, 150);
            double nll = 0;
            for (var begin = 0; begin < scored; begin += config.ContextLength, windows++)
            {
                var length = Math.Min(config.ContextLength, scored - begin);
                var inputs = Enumerable.Range(begin, length).Select(p => p == 0 ? tokenizer.EndOfTextId : ids[p - 1]).ToArray();
                var (code, stdout, stderr) = ClientProcess.Run(NumpyReferenceFactAttribute.Python, [script, hf, .. inputs.Select(i => i.ToString())]);
                Assert.True(code == 0, $"{script} failed: {stderr}");
                var logits = JsonSerializer.Deserialize<double[][]>(stdout)!;
                for (var i = 0; i < length; i++)
                {
                    var max = logits[i].Max();
                    var logSumExp = max + Math.Log(logits[i].Sum(x => Math.Exp(x - max)));
                    nll += logSumExp - logits[i][ids[begin + i]];
                }
            }
            var covered = scored == ids.Count ? texts[d] : tokenizer.Decode(ids.Take(scored));
            var chars = covered.EnumerateRunes().Count();
            var document = kept[$"d{d:D3}"];
            Assert.Equal(Math.Exp(nll / scored), Perplexity(document, "perplexity"), Math.Exp(nll / scored) * 1e-5);
            Assert.Equal(Math.Exp(nll / chars), Perplexity(document, "perplexity_per_char"), Math.Exp(nll / chars) * 1e-5);
        }
        Assert.True(windows >= texts.Length + 2, $"only {windows} windows: the test should cover a document longer than the context");
    }

    /// <summary>Many documents per forward pass give the losses of one window per pass (right padding never leaks into a real position).</summary>
    [Fact]
    public void Batched_scores_equal_one_by_one_scores()
    {
        using var model = TinyModels.Build(TinyModels.Config() with { ContextLength = 16 }, seed: 5);
        var random = new Random(1);
        var documents = Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(1, 17)).ToArray()).ToList();
        var batched = new DocumentScorer(model, startId: 0, maxTokens: 30, batchTokens: 4096).Score(documents);
        var single = documents.Select(d => new DocumentScorer(model, startId: 0, maxTokens: 30, batchTokens: 1).Score([d])[0]).ToList();
        for (var i = 0; i < documents.Count; i++)
        {
            Assert.Equal(Math.Min(documents[i].Length, 30), batched[i].Tokens);
            Assert.Equal(single[i].Tokens, batched[i].Tokens);
            Assert.Equal(single[i].NegativeLogLikelihood, batched[i].NegativeLogLikelihood, Math.Abs(single[i].NegativeLogLikelihood) * 1e-5);
        }
        // And a different batch composition: the documents in reverse order, a small token budget.
        var reversed = new DocumentScorer(model, startId: 0, maxTokens: 30, batchTokens: 40).Score(documents.AsEnumerable().Reverse().ToList()).Reverse().ToList();
        for (var i = 0; i < documents.Count; i++)
            Assert.Equal(single[i].NegativeLogLikelihood, reversed[i].NegativeLogLikelihood, Math.Abs(single[i].NegativeLogLikelihood) * 1e-5);
    }

    /// <summary>numpy.percentile's default, by hand on 1..10: rank 0.3 * 9 = 2.7 gives 3.7; rank 0.6 * 9 = 5.4 gives 6.4.</summary>
    [Fact]
    public void Linear_percentiles_match_numpys_definition_by_hand()
    {
        double[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(3.7, LinearPercentile.Of(values, 30), 12);
        Assert.Equal(6.4, LinearPercentile.Of(values, 60), 12);
        Assert.Equal(1, LinearPercentile.Of(values, 0));
        Assert.Equal(10, LinearPercentile.Of(values, 100));
        Assert.Equal(7, LinearPercentile.Of([7], 30));
        Assert.Equal("head", PerplexityBuckets.Of(3.69, 3.7, 6.4));
        Assert.Equal("middle", PerplexityBuckets.Of(3.7, 3.7, 6.4));
        Assert.Equal("tail", PerplexityBuckets.Of(6.4, 3.7, 6.4));
    }

    /// <summary>
    /// Buckets over the whole corpus, not per task: 30 documents in 3 tasks (files). With 30 distinct scores the 30th
    /// percentile sits at rank 8.7 and the 60th at 17.4, so by hand 9 documents are head, 9 middle and 12 tail; the cut
    /// points are numpy.percentile's over every document's perplexity column, and keep: [head, middle] drops the tail.
    /// With group_by the same holds within each group.
    /// </summary>
    [Fact]
    public void Buckets_cut_at_corpus_percentiles_across_tasks_and_per_group()
    {
        var (folder, _) = HfFixtures.ModelFolder("ppl-buckets", TinyModels.Config() with { ContextLength = 32 }, seed: 23);
        HfFixtures.Sharpen(folder, scale: 3);
        var dir = Path.GetDirectoryName(folder)!;
        var lines = HfFixtures.MixedLines(600).Where(l => l.Trim().Length > 10).Distinct().ToList();
        var random = new Random(4);
        var texts = Enumerable.Range(0, 30).Select(_ => lines[random.Next(lines.Count)]).ToList();
        var inputs = Enumerable.Range(0, 3).Select(t => PerplexityFixtures.Corpus(dir, $"part{t}.jsonl", texts.Skip(t * 10).Take(10).ToList())).ToList();
        // Ids restart in each file: tag them by file.
        for (var t = 0; t < 3; t++)
            File.WriteAllLines(inputs[t], File.ReadAllLines(inputs[t]).Select(l => l.Replace("\"id\":\"d", $"\"id\":\"f{t}d")));
        var (kept, removed, stats) = PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {Path.Combine(dir, "part*.jsonl")}
                tasks: 3
                model: {folder}
                keep_removed: true
                buckets:
                  keep: [head, middle]
            """);
        var all = kept.Values.Concat(removed.Values).ToList();
        Assert.Equal(30, all.Count);
        var scores = all.Select(d => Perplexity(d, "perplexity")).ToList();
        Assert.Equal(30, scores.Distinct().Count());
        var sorted = scores.Order().ToList();
        var (head, tail) = (LinearPercentile.Of(sorted, 30), LinearPercentile.Of(sorted, 60));
        Assert.Equal(sorted[8] + 0.7 * (sorted[9] - sorted[8]), head, 10);
        Assert.Equal(9, all.Count(d => (string)d["bucket"]! == "head"));
        Assert.Equal(9, all.Count(d => (string)d["bucket"]! == "middle"));
        Assert.Equal(12, all.Count(d => (string)d["bucket"]! == "tail"));
        Assert.All(kept.Values, d => Assert.NotEqual("tail", d["bucket"]));
        Assert.All(removed.Values, d => Assert.Equal("perplexity.bucket_tail", d["reason"]));
        Assert.Equal(12, stats.Counter("dropped.perplexity.bucket_tail"));
        Assert.Equal(head, stats.Values["perplexity.cut_head_p30"], 10);
        Assert.Equal(tail, stats.Values["perplexity.cut_tail_p60"], 10);
        // group_by: source gives each input file its own cut points (two tasks: one reads two files): of 10 scores, ranks 2.7 and 5.4 by hand, so 3 head, 3 middle, 4 tail per file.
        var (groupedKept, groupedRemoved, groupedStats) = PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {Path.Combine(dir, "part*.jsonl")}
                tasks: 2
                model: {folder}
                keep_removed: true
                buckets:
                  keep: [head, middle]
                  group_by: source
            """);
        var grouped = groupedKept.Values.Concat(groupedRemoved.Values).ToList();
        Assert.Equal(3, grouped.Select(d => d.Source).Distinct().Count());
        foreach (var source in grouped.GroupBy(d => d.Source))
        {
            Assert.Equal(3, source.Count(d => (string)d["bucket"]! == "head"));
            Assert.Equal(3, source.Count(d => (string)d["bucket"]! == "middle"));
            Assert.Equal(4, source.Count(d => (string)d["bucket"]! == "tail"));
            var own = source.Select(d => Perplexity(d, "perplexity")).Order().ToList();
            Assert.All(source, d => Assert.Equal(PerplexityBuckets.Of(Perplexity(d, "perplexity"), LinearPercentile.Of(own, 30), LinearPercentile.Of(own, 60)), d["bucket"]));
        }
        Assert.Equal(3, groupedStats.Values["perplexity.groups"]);
        if (NumpyReferenceFactAttribute.Available.Value)
        {
            var list = string.Join(",", scores.Select(s => s.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            var (code, stdout, stderr) = ClientProcess.Run(NumpyReferenceFactAttribute.Python, ["-c", $"import numpy; print(repr(list(numpy.percentile([{list}], [30, 60]))))"]);
            Assert.True(code == 0, stderr);
            var numpy = JsonSerializer.Deserialize<double[]>(stdout.Replace("np.float64(", "").Replace(")", ""))!;
            Assert.Equal(numpy[0], head, Math.Abs(head) * 1e-12);
            Assert.Equal(numpy[1], tail, Math.Abs(tail) * 1e-12);
        }
    }

    [Fact]
    public void Max_perplexity_drops_with_a_reason_and_a_missing_or_mismatched_model_names_the_key_and_path()
    {
        var dir = TinyModels.TempDir("ppl-errors");
        var model = PerplexityFixtures.UniformByteModel(dir);
        var corpus = PerplexityFixtures.Corpus(dir, "docs.jsonl", ["hello world", "héllo wörld"]);
        var (kept, removed, _) = PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {corpus}
                model: {model}
                score: char
                max_perplexity: 300
                keep_removed: true
            """);
        Assert.Equal(["d000"], kept.Keys); // 262 per char
        Assert.Equal("perplexity.too_high", removed["d001"]["reason"]); // 262^(13/11) = 720 per char

        var missing = Path.Combine(dir, "no-such-model");
        var error = Assert.ThrowsAny<Exception>(() => PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {corpus}
                model: {missing}
            """));
        Assert.Contains("model'", Describe(error)); // key 'stages[0].model'
        Assert.Contains(missing, Describe(error));

        // A model folder whose model_config.json disagrees with its tokenizer (vocab 17 vs 262).
        var mismatched = Path.Combine(dir, "mismatched");
        Directory.CreateDirectory(mismatched);
        foreach (var file in Directory.GetFiles(model)) File.Copy(file, Path.Combine(mismatched, Path.GetFileName(file)));
        var config = ModelWeights.LoadConfig(mismatched) with { VocabSize = 17 };
        File.WriteAllText(Path.Combine(mismatched, ModelWeights.ConfigFile), JsonSerializer.Serialize(config, TrainerJson.Options));
        var mismatch = Assert.ThrowsAny<Exception>(() => PerplexityFixtures.Run(dir, $"""
              - type: perplexity
                input: {corpus}
                model: {mismatched}
            """));
        var message = Describe(mismatch);
        Console.WriteLine(message);
        Assert.Contains("'model'", message);
        Assert.Contains(mismatched, message);
        Assert.Contains("17", message);
    }

    private static string Describe(Exception e) => e.InnerException is null ? e.Message : e.Message + " <- " + Describe(e.InnerException);

    private static double Perplexity(DataFlow.Engine.Documents.Document document, string column) =>
        document[column] is double value ? value : throw new InvalidDataException($"{document.Id}: no double column '{column}'");
}
