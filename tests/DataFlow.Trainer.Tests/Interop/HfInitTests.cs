using DataFlow.Engine.Config;
using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Jobs.Training.Pipeline;
using DataFlow.Jobs.Training.Sft;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Interop;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;

namespace DataFlow.Trainer.Tests.Interop;

public class HfInitTests
{
    [Fact]
    public void Sft_starts_from_hf_path_importing_into_its_output_and_grows_the_chat_tokens()
    {
        // A GPT-2-vocabulary base model (untied, as LLaMA checkpoints are) exported before SFT: its vocabulary lacks the chat tokens.
        var root = TinyModels.TempDir("hf-init");
        var tokenizer = ChatTokenizer.Load(HfFixtures.Gpt2Tokenizer(root));
        var config = new ModelConfig { VocabSize = tokenizer.BaseVocabSize, Dim = 32, Layers = 1, Heads = 4, ContextLength = 96, TieEmbeddings = false };
        var baseDir = Path.Combine(root, "base");
        using (var model = TinyModels.Build(config))
            ModelWeights.Save(model, config, baseDir, tokenizer: null);
        ModelTokenizer.Save(baseDir, tokenizer);
        var hf = Path.Combine(root, "hf");
        HfExport.Run(baseDir, hf);
        // The base folder's tokenizer.json lists the chat tokens at 50257-50261; the export keeps only ids the model has rows for.
        var exported = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(hf, "tokenizer.json")))!["added_tokens"]!.AsArray();
        Assert.All(exported, token => Assert.True(token!["id"]!.GetValue<int>() < 50257, token.ToJsonString()));

        var output = Path.Combine(root, "sft");
        var log = new List<string>();
        var sft = new SftConfig
        {
            Train = [RlhfFixtures.WriteSyntheticTasks(root, 20, seed: 5)], Output = output, Init = HfModelReference.Prefix + hf,
            MaxTokens = 64, MaxSteps = 2, BatchSize = 2, WarmupSteps = 1, EvalEvery = 100, CheckpointEvery = 100, SampleCount = 1, Threads = 1,
        };
        SftJob.Run(sft, log.Add);
        var imported = Path.Combine(output, HfModelReference.ImportDir);
        Assert.Contains(log, line => line.Contains($"imported {hf}") && line.Contains(imported));
        Assert.Contains(log, line => line.Contains("vocabulary grown from 50257 to 50262"));
        Assert.Equal(config, ModelWeights.LoadConfig(imported));
        var final = ModelWeights.LoadConfig(Path.Combine(output, SftTrainer.FinalDir));
        Assert.Equal(50262, final.VocabSize);
        Assert.False(final.TieEmbeddings);

        // A rerun reuses the import instead of converting again.
        log.Clear();
        Assert.Equal(imported, HfModelReference.Resolve(HfModelReference.Prefix + hf, output, log.Add));
        Assert.Empty(log);
    }

    [Fact]
    public void A_pipeline_stage_keeps_hf_references_as_hf_absolute_paths_and_checks_the_folder()
    {
        var root = TinyModels.TempDir("hf-stage-ref");
        Directory.CreateDirectory(Path.Combine(root, "models", "tiny-llama"));
        var settings = new PipelineSettings { BaseDir = root };
        var reference = StageReference.Read(ConfigSection.Parse("init: hf:models/tiny-llama", "pipeline.yaml"), "init", "pretrain", false, settings);
        Assert.Equal("hf:" + Path.Combine(root, "models", "tiny-llama"), reference.Value);
        Assert.Equal([reference.Value!], reference.Resolve(null!)!); // not a stage name: passed through to the stage, which imports it
        Assert.Equal(reference.Value, reference.ResolveModel(null!));

        // A model folder given by path is that folder (not the 'final' folder beside it, as a stage's output would be).
        var plain = StageReference.Read(ConfigSection.Parse("init: models/tiny-llama", "pipeline.yaml"), "init", "pretrain", false, settings);
        Assert.Equal(Path.Combine(root, "models", "tiny-llama"), plain.ResolveModel(null!));

        var error = Assert.ThrowsAny<Exception>(() =>
            StageReference.Read(ConfigSection.Parse("init: hf:models/none", "pipeline.yaml"), "init", "pretrain", false, settings));
        Assert.Contains("hf:models/none", error.Message);
        Assert.Contains("pipeline.yaml", error.Message);
    }

    [Fact]
    public void Ranks_resolving_the_same_reference_at_once_import_it_once()
    {
        var (folder, config) = HfFixtures.ModelFolder("hf-init-race", TinyModels.Config());
        var hf = Path.Combine(Path.GetDirectoryName(folder)!, "hf");
        HfExport.Run(folder, hf);
        var output = Path.Combine(Path.GetDirectoryName(folder)!, "out");
        var imports = 0;
        var targets = new string[4];
        Parallel.For(0, targets.Length, i => targets[i] = HfModelReference.Resolve(HfModelReference.Prefix + hf, output, _ => Interlocked.Increment(ref imports)));
        Assert.Equal(1, imports);
        Assert.All(targets, t => Assert.Equal(Path.Combine(output, HfModelReference.ImportDir), t));
        Assert.Equal(config, ModelWeights.LoadConfig(targets[0]));
    }

    [Fact]
    public void A_pipeline_sft_stage_with_init_hf_path_trains_from_the_import()
    {
        var (folder, config) = HfFixtures.ModelFolder("hf-init-pipeline", TinyModels.Config() with { ContextLength = 64, TieEmbeddings = false });
        var root = Path.GetDirectoryName(folder)!;
        var hf = Path.Combine(root, "hf");
        HfExport.Run(folder, hf);
        var pipeline = Path.Combine(root, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            workers: 1
            stages:
              - type: sft
                name: sft
                data: {RlhfFixtures.WriteSyntheticTasks(root, 12, seed: 3)}
                init: hf:{hf}
                format: prompt_completion
                max_tokens: 48
                max_steps: 2
                batch_size: 2
                warmup_steps: 1
                eval_every: 100
                checkpoint_every: 100
                sample_count: 1
                threads: 1
            """);
        var session = RunSession.Create(pipeline, Path.Combine(root, "run"), StandardStages.Create().AddTraining());
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);
        var output = session.Run.OutputDir(session.Pipeline.Stages[0]);
        Assert.Equal(config, ModelWeights.LoadConfig(Path.Combine(output, HfModelReference.ImportDir)));
        Assert.Equal(config, ModelWeights.LoadConfig(Path.Combine(output, SftTrainer.FinalDir)));
    }
}
