using System.Text.Json;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Checkpoints;

namespace DataFlow.Trainer.Tests;

public sealed class PretrainStageTests
{
    [Fact]
    public void A_pipeline_tokenizes_then_pretrains_on_the_previous_stages_dataset()
    {
        var dir = TinyModels.TempDir("pipeline");
        var corpus = Path.Combine(dir, "corpus.jsonl");
        File.WriteAllLines(corpus, Enumerable.Range(0, 60).Select(i => JsonSerializer.Serialize(new { id = $"d{i}", text = $"the cat sat on the mat number {i % 9}." })));
        var tokenizer = CharacterTokenizer.Train(["the cat sat on the mat number 0123456789."]);
        File.WriteAllText(Path.Combine(dir, "char.json"), tokenizer.ToJson());
        var pipeline = Path.Combine(dir, "pipeline.yaml");
        File.WriteAllText(pipeline, $"""
            workers: 1
            stages:
              - type: tokenize
                name: tokens
                input: {corpus}
                tokenizer: {Path.Combine(dir, "char.json")}
                seq_len: 16
                tasks: 1
                validation_fraction: 0.1
              - type: pretrain
                name: pretrain
                model:
                  dim: 32
                  layers: 1
                  heads: 2
                training:
                  batch_size: 4
                  max_steps: 6
                  warmup_steps: 2
                  eval_every: 3
                  eval_batches: 1
                  checkpoint_every: 3
                  threads: 1
            """);
        var session = RunSession.Create(pipeline, Path.Combine(dir, "run"), StandardStages.Create().AddTraining());
        new LocalExecutor(1).Run(session.Run, session.Pipeline, CancellationToken.None);

        var output = session.Run.OutputDir(session.Pipeline.Stages[^1]);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, PretrainJob.SummaryFile))).RootElement;
        Assert.Equal(6, summary.GetProperty("steps").GetInt32());
        var checkpoint = summary.GetProperty("checkpoint").GetString()!;
        Assert.Equal(6, TrainingCheckpoint.ReadState(checkpoint).Step);
        Assert.Equal(tokenizer.VocabSize, TrainingCheckpoint.ReadState(checkpoint).Model.VocabSize);
    }
}
