using System.Globalization;
using DataFlow.Bench.Rlhf;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;
using TorchSharp;

// dataflow RLHF bench: [STEPS=20] [THREADS=2]
//   SFT tokens/s full vs LoRA (same model, same batches), trainable fraction and AdamW state bytes;
//   rollout generation tokens/s with and without the KV cache.
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20;
var threads = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
torch.set_num_threads(threads);
var config = new ModelConfig { VocabSize = 262, Dim = 256, Layers = 4, Heads = 8, ContextLength = 128 };
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: dim {config.Dim}, {config.Layers} layers, {config.Heads} heads, vocab {config.VocabSize}, {config.ParameterCount:N0} parameters; batch 16 synthetic chats; {steps} timed steps; {threads} threads"));
Console.WriteLine("| mode | tokens/s | trainable params | trainable % | AdamW state |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var r in SftThroughputBenchmark.Run(config, 16, steps, new LoraConfig { Rank = 8, Alpha = 16 }))
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.Mode} | {r.TokensPerSecond:F0} | {r.Trainable:N0} | {100.0 * r.Trainable / r.Total:F2} | {r.OptimizerBytes / 1024.0 / 1024.0:F2} MiB |"));
var (cached, uncached, same) = GenerationBenchmark.Run(config, 16, 64);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generation, batch 16, 64 new tokens: KV cache {cached:F0} tokens/s, no cache {uncached:F0} tokens/s, speed-up {cached / uncached:F2}x, identical tokens: {same}"));
