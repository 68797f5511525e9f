using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;

namespace DataFlow.Jobs.Tokenize;

/// <summary>One task: trains a tokenizer on every input shard and writes OUT/tokenizer.json, which a later tokenize stage names in <c>tokenizer</c>.</summary>
public sealed class TokenizerTrainJob(TokenizerTraining.Settings settings, IReadOnlyList<string>? input) : IStageJob
{
    public const string FileName = "tokenizer.json";

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        IReadOnlyList<string> files = input is { } patterns
            ? InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir)
            : context.PreviousManifest().Tasks.Select(t => t.Outputs[0]).ToList();
        return [new TaskPlan(0, files, [Path.Combine(context.OutputDir, FileName)])];
    }

    public void Run(TaskContext context)
    {
        var result = TokenizerTraining.Train(context.Inputs, settings, context.Rejects, cancellation: context.Cancellation);
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[0]), result.Json);
        context.Stats.Add("docs_in", result.Documents);
        context.Stats.Add("bytes_in", result.Bytes);
        context.Stats.Add("vocab_size", result.VocabSize);
        context.Stats.Add("word_types", result.WordTypes);
        context.Stats.Add("word_types_pruned", result.PrunedWordTypes);
        context.Stats.SetValue("count_seconds", result.CountTime.TotalSeconds);
        context.Stats.SetValue("merge_seconds", result.MergeTime.TotalSeconds);
    }

    // Training holds one word-count table; running it beside other tasks gains nothing.
    public int MaxParallelTasks => 1;
}
