using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using DataFlow.Trainer.Tests.Interop;
using YamlDotNet.RepresentationModel;

namespace DataFlow.Trainer.Tests.Perplexity;

/// <summary>
/// conf/pipeline.perplexity.yaml as written, with a smaller model and budget: pretrain on the reference corpus, score the
/// rest of the sample with that model, bucket at the corpus's 30th / 60th percentiles; the report shows the distribution.
/// </summary>
public sealed class PerplexityPipelineTests
{
    [Fact]
    public void The_perplexity_pipeline_trains_on_the_reference_then_buckets_the_sample()
    {
        var root = HfFixtures.RepoRoot();
        var dir = TinyModels.TempDir("ppl-pipeline");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(root, "conf", "pipeline.perplexity.yaml"))) yaml.Load(reader);
        var top = (YamlMappingNode)yaml.Documents[0].RootNode;
        top.Children.Remove(new YamlScalarNode("run_dir"));
        var stages = (YamlSequenceNode)top.Children[new YamlScalarNode("stages")];
        // The report stage reloads the pipeline with the CLI's catalog; the test builds the report itself below.
        stages.Children.Remove(stages.Children.Single(s => ((YamlScalarNode)((YamlMappingNode)s).Children[new YamlScalarNode("type")]).Value == "report"));
        foreach (YamlMappingNode stage in stages)
        {
            var type = ((YamlScalarNode)stage.Children[new YamlScalarNode("type")]).Value;
            if (stage.Children.TryGetValue(new YamlScalarNode("input"), out var input))
                stage.Children[new YamlScalarNode("input")] = input is YamlSequenceNode list
                    ? new YamlSequenceNode(list.Children.Select(n => (YamlNode)new YamlScalarNode(Path.Combine(root, ((YamlScalarNode)n).Value!))))
                    : new YamlScalarNode(Path.Combine(root, ((YamlScalarNode)input).Value!));
            if (type == "pretrain")
            {
                var training = (YamlMappingNode)stage.Children[new YamlScalarNode("training")];
                foreach (var (key, value) in new[] { ("max_steps", "40"), ("decay_steps", "40"), ("eval_every", "20"), ("checkpoint_every", "20"), ("log_every", "10") })
                    training.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
                var model = new YamlMappingNode();
                foreach (var (key, value) in new[] { ("dim", "64"), ("layers", "2"), ("heads", "2") }) model.Add(key, value);
                stage.Children[new YamlScalarNode("model")] = model;
            }
            if (type == "perplexity") stage.Children[new YamlScalarNode("max_tokens")] = new YamlScalarNode("256");
        }
        var pipeline = Path.Combine(dir, "pipeline.perplexity.yaml");
        using (var writer = new StreamWriter(pipeline)) yaml.Save(writer, assignAnchors: false);

        var session = RunSession.Create(pipeline, Path.Combine(dir, "run"), StandardStages.Create().AddTraining());
        new LocalExecutor(2).Run(session.Run, session.Pipeline, CancellationToken.None);

        foreach (var stage in session.Pipeline.Stages)
            Assert.True(session.Run.IsDone(stage.Name, 0), $"stage {stage.Name} did not complete");
        var (kept, removed) = (ReadShards(session, ""), ReadShards(session, "removed"));
        var all = kept.Concat(removed).ToList();
        Assert.Equal(885, all.Count);
        // 30 % of 885 = 265.5: the documents strictly below the interpolated cut point, as in cc_net.
        Assert.Equal(266, all.Count(d => (string)d["bucket"]! == "head"));
        Assert.Equal(265, all.Count(d => (string)d["bucket"]! == "middle"));
        Assert.All(removed, d => Assert.Equal("perplexity.bucket_tail", d["reason"]));
        Assert.Equal(354, removed.Count);
        // The model learned English prose from the reference: Moby Dick reads far likelier than Chinese poetry.
        double Median(string source) => all.Where(d => d.Source.StartsWith(source, StringComparison.Ordinal))
            .Select(d => (double)d["perplexity"]!).Order().ElementAt(all.Count(d => d.Source.StartsWith(source, StringComparison.Ordinal)) / 2);
        Assert.True(Median("moby-dick") * 4 < Median("chinese-poetry"), $"moby-dick median {Median("moby-dick"):F1}, chinese-poetry {Median("chinese-poetry"):F1}");
        Assert.All(all.Where(d => d.Source.StartsWith("chinese-poetry", StringComparison.Ordinal)), d => Assert.Equal("tail", d["bucket"]));
        var html = File.ReadAllText(new DataFlow.Report.RunReport(session.Run, session.Pipeline, text => text).Write());
        Assert.Contains("perplexity-score-perplexity-histogram", html);
        Assert.Contains("perplexity.cut_head_p30", html);
    }

    private static List<DataFlow.Engine.Documents.Document> ReadShards(RunSession session, string sub)
    {
        var folder = Path.Combine(session.Run.OutputDir(session.Pipeline.Stages.Single(s => s.Name == "perplexity")), sub);
        return Directory.GetFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal)
            .SelectMany(f => DataFlow.Engine.Documents.DocumentSources.Read(f, DataFlow.Engine.Documents.ReadOptions.Default, new FailingRejects())).ToList();
    }

    private sealed class FailingRejects : DataFlow.Engine.Documents.IRejectSink
    {
        public void Reject(DataFlow.Engine.Documents.Reject reject) => throw new InvalidDataException(reject.ToString());
    }
}
