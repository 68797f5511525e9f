using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Execution;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Perplexity;

/// <summary>Model folders, corpora and one-call pipeline runs for the perplexity stage tests.</summary>
internal static class PerplexityFixtures
{
    /// <summary>A model folder on the byte vocabulary whose every weight is zero: every next-token distribution is uniform.</summary>
    public static string UniformByteModel(string dir, int contextLength = 32)
    {
        var tokenizer = ChatTokenizer.Load("bytes");
        using var model = TinyModels.Build(TinyModels.Config() with { VocabSize = tokenizer.VocabSize, ContextLength = contextLength });
        using (no_grad())
            foreach (var parameter in model.parameters()) parameter.zero_();
        var folder = Path.Combine(dir, "uniform");
        ModelWeights.Save(model, model.Config, folder, tokenizer);
        return folder;
    }

    public static string Corpus(string dir, string name, IReadOnlyList<string> texts)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllLines(path, texts.Select((t, i) => JsonSerializer.Serialize(new { id = $"d{i:D3}", text = t })));
        return path;
    }

    /// <summary>Runs a pipeline of the given YAML stages (input, model and keys inline) and returns the kept and removed documents by id.</summary>
    public static (Dictionary<string, Document> Kept, Dictionary<string, Document> Removed, DataFlow.Engine.Jobs.TaskStats Stats) Run(string dir, string stageYaml)
    {
        var pipeline = Path.Combine(dir, $"pipeline-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(pipeline, "workers: 2\nstages:\n" + stageYaml);
        var session = RunSession.Create(pipeline, Path.Combine(dir, $"run-{Guid.NewGuid():N}"), StandardStages.Create().AddTraining());
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);
        var last = session.Pipeline.Stages[^1];
        var output = session.Run.OutputDir(last);
        var rejects = new ThrowingRejects();
        Dictionary<string, Document> ReadAll(string folder) => Directory.Exists(folder)
            ? Directory.GetFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal)
                .SelectMany(f => DocumentSources.Read(f, ReadOptions.Default, rejects)).ToDictionary(d => d.Id)
            : [];
        var stats = DataFlow.Engine.Jobs.TaskRunner.StageStats(session.Run, DataFlow.Engine.Jobs.StageManifest.Load(session.Run.ManifestFile(last.Name)));
        return (ReadAll(output), ReadAll(Path.Combine(output, "removed")), stats);
    }

    private sealed class ThrowingRejects : IRejectSink
    {
        public void Reject(Reject reject) => throw new InvalidDataException($"unexpected reject: {reject}");
    }
}
