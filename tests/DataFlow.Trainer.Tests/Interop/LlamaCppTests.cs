using System.Text.Json.Nodes;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// GGUF files exported here, run by llama.cpp (node-llama-cpp 3.21.1, a client nobody here wrote): the same token ids
/// on mixed text, the same next-token distributions, the same greedy continuation.
/// </summary>
public sealed class LlamaCppTests : IClassFixture<LlamaCppFixture>
{
    private readonly LlamaCppFixture fixture;
    private readonly ITestOutputHelper output;

    public LlamaCppTests(LlamaCppFixture fixture, ITestOutputHelper output)
    {
        // Only reached when the test did not skip: fail before training anything when llama.cpp is required but missing.
        LlamaCpp.ThrowIfMissing();
        (this.fixture, this.output) = (fixture, output);
    }

    [LlamaCppTheory]
    [InlineData("cl100k")]
    [InlineData("gpt2")]
    [InlineData("o200k")]
    [InlineData("gpt2-vocab")]
    [InlineData("cl100k-vocab")]
    [InlineData("bytes")]
    public void Llama_cpp_tokenizes_mixed_text_to_our_ids(string kind)
    {
        var folder = fixture.TokenizerFolder(kind);
        var tokenizer = ModelTokenizer.Load(folder);
        var pieces = fixture.Corpus;
        var answer = LlamaCpp.Ask(new JsonObject
        {
            ["model"] = fixture.TokenizerGguf(kind),
            ["contextSize"] = LlamaCppFixture.ContextLength,
            ["tokenize"] = new JsonArray(pieces.Select(p => (JsonNode)p).ToArray()),
        }, fixture.Directory);
        var theirs = LlamaCpp.IntRows(answer["tokens"]);
        var mismatches = new List<string>();
        long tokens = 0;
        for (var i = 0; i < pieces.Count; i++)
        {
            var ours = new List<int>();
            tokenizer.Encode(pieces[i], ours);
            tokens += ours.Count;
            if (!ours.SequenceEqual(theirs[i]))
                mismatches.Add($"piece {i} {System.Text.Json.JsonSerializer.Serialize(pieces[i])}: ours [{string.Join(",", ours)}] llama.cpp [{string.Join(",", theirs[i])}]");
        }
        output.WriteLine($"{kind}: {pieces.Count - mismatches.Count} of {pieces.Count} pieces ({tokens} tokens) tokenized identically");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {pieces.Count} pieces differ:\n{string.Join("\n", mismatches.Take(5))}");
    }

    /// <summary>
    /// The special ids llama.cpp reads from the GGUF of a published vocabulary: end-of-text at tiktoken's id (cl100k_base
    /// leaves 100256 unused below its 100257) as both BOS and EOS, and the chat turn's end as EOT.
    /// </summary>
    [LlamaCppTheory]
    [InlineData("gpt2-vocab", 50256)]
    [InlineData("cl100k-vocab", 100257)]
    public void Llama_cpp_reads_the_published_end_of_text_id(string kind, int endOfText)
    {
        var tokenizer = ModelTokenizer.Load(fixture.TokenizerFolder(kind));
        var special = LlamaCpp.Ask(new JsonObject { ["model"] = fixture.TokenizerGguf(kind), ["contextSize"] = LlamaCppFixture.ContextLength }, fixture.Directory)["special"]!;
        Assert.Equal(endOfText, tokenizer.EndOfTextId);
        Assert.Equal(endOfText, special["eos"]!.GetValue<int>());
        Assert.Equal(endOfText, special["bos"]!.GetValue<int>());
        Assert.Equal(tokenizer.ChatTokens[DataFlow.Text.Tokenization.SpecialTokens.End], special["eot"]!.GetValue<int>());
    }

    /// <summary>
    /// log p(next token) at every position of a few prompts, for every token of the vocabulary. llama.cpp's JavaScript
    /// API gives probabilities, not logits; ln p = logit - logsumexp(logits), so this compares the logits up to one
    /// constant per position (the shift that makes both distributions sum to one).
    /// </summary>
    [LlamaCppTheory]
    [InlineData(GgmlType.F32, 1e-3)]
    [InlineData(GgmlType.F16, 5e-2)]
    [InlineData(GgmlType.BF16, 3e-1)]
    [InlineData(GgmlType.Q8_0, 1.0)]
    public void Next_token_log_probabilities_match_llama_cpp(GgmlType type, double tolerance)
    {
        var (prompts, ours) = OurLogProbs();
        var (maxDifference, maxProbabilityDifference, compared, underflowed) = Compare(fixture.TrainedGguf(type), prompts, ours, "F32");
        output.WriteLine($"{type}: max |ln p(llama.cpp) - ln p(DataFlow)| = {maxDifference:E3}, max |p - p| = {maxProbabilityDifference:E3} over {compared} values ({underflowed} underflowed), final training loss {fixture.FinalLoss:F3} ({fixture.TrainingSeconds:F0} s)");
        if (type == GgmlType.F32)
        {
            // For the record: llama.cpp's default F16 KV cache, which the comparison avoids.
            var withF16Cache = Compare(fixture.TrainedGguf(type), prompts, ours, "F16");
            output.WriteLine($"F32 weights with llama.cpp's default F16 KV cache: max |ln p difference| = {withF16Cache.MaxDifference:E3}");
        }
        Assert.True(maxDifference < tolerance, $"{type}: max log-probability difference {maxDifference:E3} >= {tolerance:E1}");
    }

    /// <summary>
    /// Llama 3 rope reaches llama.cpp as the rope_freqs.weight tensor (per-frequency divisors, as convert_hf_to_gguf.py
    /// writes it). A sharpened model with head dim 16, theta 1e4, original context 32 and factor 4 has frequencies in all
    /// three bands; two prompts of 127 tokens turn the divided low frequencies far enough to matter. The same weights
    /// exported without the scaling (plain rope) must disagree, or the comparison could not see the tensor.
    /// </summary>
    [LlamaCppFact]
    public void Llama3_rope_log_probabilities_match_llama_cpp_through_rope_freqs()
    {
        var llama3 = new Llama3RopeScaling { Factor = 4, LowFreqFactor = 1, HighFreqFactor = 4, OriginalContextLength = 32 };
        var tokenizer = ModelTokenizer.Load(fixture.TokenizerFolder("cl100k"));
        var config = new ModelConfig
        {
            VocabSize = tokenizer.VocabSize, Dim = 64, Layers = 2, Heads = 4, KvHeads = 2, ContextLength = LlamaCppFixture.ContextLength,
            RopeTheta = 10_000, TieEmbeddings = false, RopeLlama3 = llama3,
        };
        var bands = Enumerable.Range(0, config.HeadDim / 2).Select(i => llama3.BandOf(Math.Pow(config.RopeTheta, -2.0 * i / config.HeadDim))).ToHashSet();
        Assert.Equal(3, bands.Count);

        var folder = Path.Combine(fixture.Directory, "llama3-rope-model");
        using (var model = TinyModels.Build(config, seed: 17)) ModelWeights.Save(model, config, folder, tokenizer);
        HfFixtures.Sharpen(folder);
        var gguf = Path.Combine(fixture.Directory, "llama3-rope.gguf");
        LlamaGgufExport.Export(folder, gguf, GgmlType.F32);
        // The same weights with plain rope: model_config.json without rope_llama3.
        var plainFolder = Path.Combine(fixture.Directory, "plain-rope-model");
        System.IO.Directory.CreateDirectory(plainFolder);
        foreach (var file in System.IO.Directory.GetFiles(folder)) File.Copy(file, Path.Combine(plainFolder, Path.GetFileName(file)), overwrite: true);
        var plainConfig = JsonNode.Parse(File.ReadAllText(Path.Combine(plainFolder, ModelWeights.ConfigFile)))!.AsObject();
        Assert.True(plainConfig.Remove("rope_llama3"));
        File.WriteAllText(Path.Combine(plainFolder, ModelWeights.ConfigFile), plainConfig.ToJsonString());
        var plainGguf = Path.Combine(fixture.Directory, "plain-rope.gguf");
        LlamaGgufExport.Export(plainFolder, plainGguf, GgmlType.F32);

        // 127 positions: a prompt that fills all 128 cells of llama.cpp's context is shifted by node-llama-cpp (measured: 6.7
        // nats apart at the last position even with plain rope), so one cell stays free.
        const int length = LlamaCppFixture.ContextLength - 1;
        var corpus = fixture.Corpus;
        var prompts = new[] { 20, corpus.Count / 2 + 20 }.Select(start =>
        {
            var ids = new List<int>();
            for (var i = start; ids.Count < length; i++) tokenizer.Encode(corpus[i], ids);
            return ids.Take(length).ToArray();
        }).ToArray();
        var ours = LogProbs(folder, prompts);
        var (maxDifference, maxProbabilityDifference, compared, underflowed) = Compare(gguf, prompts, ours, "F32");
        var plain = Compare(plainGguf, prompts, ours, "F32");
        output.WriteLine($"llama3 rope, F32: max |ln p(llama.cpp) - ln p(DataFlow)| = {maxDifference:E3}, max |p - p| = {maxProbabilityDifference:E3} over {compared} values ({underflowed} underflowed); " +
            $"the same weights as plain rope in llama.cpp: {plain.MaxDifference:E3}");
        Assert.True(maxDifference < 1e-3, $"llama3 rope: max log-probability difference {maxDifference:E3} >= 1e-3");
        Assert.True(plain.MaxDifference > 1e-2, $"plain rope agrees with our llama3 rope too ({plain.MaxDifference:E3}): the test cannot see rope_freqs");
    }

    private (double MaxDifference, double MaxProbabilityDifference, long Compared, long Underflowed) Compare(string gguf, int[][] prompts, double[][][] ours, string kvCacheType)
    {
        var answer = LlamaCpp.Ask(new JsonObject
        {
            ["model"] = gguf,
            ["contextSize"] = LlamaCppFixture.ContextLength,
            ["kvCacheType"] = kvCacheType,
            ["vocabSize"] = ours[0][0].Length,
            ["distributions"] = new JsonArray(prompts.Select(p => (JsonNode)new JsonArray(p.Select(id => (JsonNode)id).ToArray())).ToArray()),
        }, fixture.Directory);
        var theirs = answer["logProbs"]!.AsArray();
        double maxDifference = 0, maxProbabilityDifference = 0;
        long compared = 0, underflowed = 0;
        for (var s = 0; s < prompts.Length; s++)
        {
            var rows = theirs[s]!.AsArray();
            Assert.Equal(prompts[s].Length, rows.Count);
            for (var t = 0; t < rows.Count; t++)
            {
                var row = rows[t]!.AsArray();
                Assert.Equal(ours[s][t].Length, row.Count);
                for (var v = 0; v < row.Count; v++)
                {
                    // A token llama.cpp leaves out has a probability that underflowed float32; ours must be as small.
                    if (row[v] is null)
                    {
                        Assert.True(ours[s][t][v] < -80, $"llama.cpp omits token {v} at position {t} of prompt {s}, whose log-probability here is {ours[s][t][v]}");
                        underflowed++;
                        continue;
                    }
                    var theirValue = row[v]!.GetValue<double>();
                    maxDifference = Math.Max(maxDifference, Math.Abs(theirValue - ours[s][t][v]));
                    maxProbabilityDifference = Math.Max(maxProbabilityDifference, Math.Abs(Math.Exp(theirValue) - Math.Exp(ours[s][t][v])));
                    compared++;
                }
            }
        }
        return (maxDifference, maxProbabilityDifference, compared, underflowed);
    }

    [LlamaCppFact]
    public void Greedy_64_token_continuation_is_identical_in_f32()
    {
        var (prompts, _) = OurLogProbs();
        var promptHeads = prompts.Select(p => p[..Math.Min(p.Length, 32)]).ToArray();
        using var model = ModelWeights.LoadTransformer(fixture.TrainedFolder);
        var ours = new TextGenerator(model).Generate(promptHeads, new GenerationOptions { Temperature = 0, MaxNewTokens = 64 }).Select(r => r.Tokens).ToArray();
        var answer = LlamaCpp.Ask(new JsonObject
        {
            ["model"] = fixture.TrainedGguf(GgmlType.F32),
            ["contextSize"] = LlamaCppFixture.ContextLength,
            ["greedy"] = new JsonArray(promptHeads.Select(p => (JsonNode)new JsonObject
            {
                ["prompt"] = new JsonArray(p.Select(id => (JsonNode)id).ToArray()),
                ["tokens"] = 64,
            }).ToArray()),
        }, fixture.Directory);
        var theirs = LlamaCpp.IntRows(answer["greedy"]);
        var tokenizer = ModelTokenizer.Load(fixture.TrainedFolder);
        for (var i = 0; i < promptHeads.Length; i++)
        {
            output.WriteLine($"prompt {i}: {System.Text.Json.JsonSerializer.Serialize(tokenizer.Decode(promptHeads[i]))} -> {System.Text.Json.JsonSerializer.Serialize(tokenizer.Decode(ours[i]))}");
            Assert.Equal(64, ours[i].Length);
            Assert.Equal(ours[i], theirs[i]);
        }
    }

    /// <summary>What a user runs: `dataflow generate --checkpoint MODEL_DIR --prompt TEXT -n 24 -t 0` against llama.cpp's greedy completion of the same text.</summary>
    [LlamaCppFact]
    public void Generate_at_temperature_0_on_the_model_folder_matches_llama_cpp()
    {
        const string prompt = "Call me Ishmael. Some years ago";
        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 24, SlideContext = true }; // as GenerateCommand builds them
        var ours = DataFlow.Jobs.Training.Pretrain.GenerateRun.Execute(fixture.TrainedFolder, [prompt], options)[0];
        var tokenizer = ModelTokenizer.Load(fixture.TrainedFolder);
        var ids = new List<int>();
        tokenizer.Encode(prompt, ids);
        var answer = LlamaCpp.Ask(new JsonObject
        {
            ["model"] = fixture.TrainedGguf(GgmlType.F32),
            ["contextSize"] = LlamaCppFixture.ContextLength,
            ["tokenize"] = new JsonArray(prompt),
            ["greedy"] = new JsonArray(new JsonObject { ["prompt"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray()), ["tokens"] = 24 }),
        }, fixture.Directory);
        Assert.Equal(ids, LlamaCpp.IntRows(answer["tokens"])[0]);
        var theirs = LlamaCpp.IntRows(answer["greedy"])[0].TakeWhile(id => id != tokenizer.EndOfTextId);
        output.WriteLine($"{prompt}|{ours}");
        Assert.Equal(tokenizer.Decode(theirs), ours);
    }

    /// <summary>Four prompts (English, Chinese, code, e-mail) of up to 96 tokens and our log-softmax [prompt][position][token].</summary>
    private (int[][] Prompts, double[][][] LogProbs) OurLogProbs()
    {
        var tokenizer = ModelTokenizer.Load(fixture.TrainedFolder);
        var corpus = fixture.Corpus;
        var per = corpus.Count / 7;
        var picks = new[] { 10, 2 * per + 10, 5 * per + 10, 4 * per + 10 };
        var prompts = picks.Select(start =>
        {
            var ids = new List<int>();
            for (var i = start; ids.Count < 96; i++) tokenizer.Encode(corpus[i], ids);
            return ids.Take(96).ToArray();
        }).ToArray();
        return (prompts, LogProbs(fixture.TrainedFolder, prompts));
    }

    /// <summary>Our log-softmax [prompt][position][token] for the model in <paramref name="folder"/>.</summary>
    private static double[][][] LogProbs(string folder, int[][] prompts)
    {
        using var model = ModelWeights.LoadTransformer(folder);
        model.eval();
        using var noGrad = no_grad();
        var logProbs = prompts.Select(p =>
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(tensor(p.Select(id => (long)id).ToArray()).view(1, p.Length)).squeeze(0).to(ScalarType.Float64);
            var values = logits.log_softmax(-1);
            var flat = values.data<double>().ToArray();
            var vocab = (int)values.shape[1];
            return Enumerable.Range(0, p.Length).Select(t => flat.AsSpan(t * vocab, vocab).ToArray()).ToArray();
        }).ToArray();
        return logProbs;
    }
}
