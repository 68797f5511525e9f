using System.Diagnostics;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Bench.Rlhf;

/// <summary>The same model and batches trained fully and with LoRA, measured in one process, one after the other.</summary>
public static class SftThroughputBenchmark
{
    public sealed record Result(string Mode, double TokensPerSecond, long Trainable, long Total, long OptimizerBytes);

    public static IEnumerable<Result> Run(ModelConfig config, int batch, int steps, LoraConfig lora)
    {
        var tokenizer = ChatTokenizer.Load("bytes");
        var random = new Random(1);
        var examples = Enumerable.Range(0, batch * (steps + 2)).Select(_ => VerifiableTasks.Generate(random, 20))
            .Select(e => TokenizedConversation.Encode(ChatTemplate.Default.Render(Conversation.SingleTurn(e.Prompt, e.Answer)), tokenizer)).ToList();
        foreach (var useLora in new[] { false, true })
        {
            torch.manual_seed(1);
            using var model = new Transformer(config);
            using var adapters = useLora ? LoraAdapters.Attach(model, lora) : null;
            var trainable = adapters?.Parameters().ToList() ?? model.parameters().ToList();
            using var optimizer = new DataFlow.Trainer.Training.AdamW(adapters?.NamedParameters() ?? model.named_parameters(), beta1: 0.9, beta2: 0.999, weightDecay: 0);
            long tokens = 0;
            var clock = new Stopwatch();
            for (var step = 0; step < steps + 2; step++)
            {
                if (step == 2) clock.Start(); // two warm-up steps
                using var scope = NewDisposeScope();
                var (inputs, targets) = SftBatch.Collate(examples.Skip(step * batch).Take(batch).ToList(), tokenizer.PadId);
                optimizer.ZeroGrad();
                SftBatch.MaskedLoss(model.forward(inputs), targets).backward();
                optimizer.Step(1e-3);
                if (step >= 2) tokens += inputs.numel();
            }
            var trainableCount = trainable.Sum(p => p.numel());
            var total = model.parameters().Sum(p => p.numel()) + (adapters?.ParameterCount ?? 0);
            // AdamW keeps two fp32 moments per trainable parameter.
            yield return new Result(useLora ? $"LoRA r={lora.Rank} ({string.Join('/', lora.Targets)})" : "full", tokens / clock.Elapsed.TotalSeconds, trainableCount, total, trainableCount * 8);
        }
    }
}
