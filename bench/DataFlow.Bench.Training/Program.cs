using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataFlow.Trainer.Training;
using DataFlow.Bench.Training;

// dataflow training bench:
//   shakespeare-data INPUT OUTPUT [SEQ_LEN]     write the Shakespeare-char token dataset (nanoGPT's split)
//   throughput [STEPS] [THREADS] [PYTHON]        tokens/s and MFU, ours and PyTorch's side by side
var mode = args.Length > 0 ? args[0] : "throughput";
switch (mode)
{
    case "shakespeare-data" when args.Length >= 3:
        ShakespeareCharData.Write(args[1], args[2], args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64);
        return 0;
    case "throughput":
    {
        var steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : Environment.ProcessorCount;
        var python = args.Length > 3 ? args[3] : "/usr/bin/python3";
        var c = ThroughputBenchmark.Config;
        var flopsPerToken = c.TrainingFlopsPerToken(c.ContextLength);
        Console.WriteLine($"model: dim {c.Dim}, {c.Layers} layers, {c.Heads} heads, context {c.ContextLength}, batch {ThroughputBenchmark.Batch}, vocab {c.VocabSize}; " +
                          $"{c.ParameterCount:N0} parameters; {flopsPerToken / 1e6:F2} MFLOP/token (PaLM appendix B: 6N + 12·L·d·T); {steps} timed steps x 3 rounds, {threads} threads");
        var ours = ThroughputBenchmark.Run(steps, threads);
        var reference = RunPython(python, steps, threads, ThroughputBenchmark.Shapes);
        var inv = CultureInfo.InvariantCulture;
        string Cell(double? flops) => flops is { } f ? string.Create(inv, $"{f / 1e9,7:F1}") : "      -";
        Console.WriteLine("matmul GFLOP/s per shape (wall | per CPU-second), best of 3 before and after the training steps:");
        Console.WriteLine($"  {"shape",-44} {"product",-28} {"per step",8}   {"TorchSharp fp32",-15}   {"TorchSharp bf16",-15}   {"PyTorch fp32",-15}   {"PyTorch bf16",-15}");
        for (var i = 0; i < ours.Fp32.PerShape.Count; i++)
        {
            var t = ours.Fp32.PerShape[i];
            var b = ours.Bf16?.PerShape[i];
            var index = ThroughputBenchmark.Shapes.ToList().FindIndex(s => s.ToString() == t.Shape.ToString());
            var pf = reference?.Fp32?[index];
            var pb = reference?.Bf16?[index];
            var name = t.Shape.Name.Length > 44 ? t.Shape.Name[..41] + "..." : t.Shape.Name;
            Console.WriteLine($"  {name,-44} {t.Shape,-28} {t.Shape.PerStep,8}   {Cell(t.Flops)} |{Cell(t.FlopsPerCpuSecond)}   {Cell(b?.Flops)} |{Cell(b?.FlopsPerCpuSecond)}   " +
                              $"{Cell(pf?[0])} |{Cell(pf?[1])}   {Cell(pb?[0])} |{Cell(pb?[1])}");
        }
        Console.WriteLine($"  {"peak (best shape)",-44} {"",-28} {"",8}   {Cell(ours.Fp32.Flops)} |{Cell(ours.Fp32.FlopsPerCpuSecond)}   {Cell(ours.Bf16?.Flops)} |{Cell(ours.Bf16?.FlopsPerCpuSecond)}   " +
                          $"{Cell(reference?.Fp32?.Max(p => p[0]))} |{Cell(reference?.Fp32?.Max(p => p[1]))}   {Cell(reference?.Bf16?.Max(p => p[0]))} |{Cell(reference?.Bf16?.Max(p => p[1]))}");
        if (ours.Bf16Error is { } e) Console.WriteLine($"  TorchSharp bf16 unsupported: {e}");
        if (reference?.Bf16Error is { } pe) Console.WriteLine($"  PyTorch bf16 unsupported: {pe}");
        string Mfu(string name, double rate, double rateCpu, double peak, double peakCpu) => string.Create(inv,
            $"{name,-22} {rate,7:F0} tokens/s {flopsPerToken * rate / 1e9,6:F1} GFLOP/s  MFU {100 * flopsPerToken * rate / peak,5:F1}% of {peak / 1e9:F1} | " +
            $"{rateCpu,7:F0} tokens/CPU-s  MFU per CPU-s {100 * flopsPerToken * rateCpu / peakCpu,5:F1}% of {peakCpu / 1e9:F1}");
        Console.WriteLine("training step (forward, backward, clip, AdamW), fp32, best round; MFU against the fp32 peak of the same process:");
        Console.WriteLine(Mfu("TorchSharp", ours.TokensPerSecond, ours.TokensPerCpuSecond, ours.Fp32.Flops, ours.Fp32.FlopsPerCpuSecond));
        if (reference is { } r)
        {
            Console.WriteLine(Mfu($"PyTorch {r.Version}", r.TokensPerSecond, r.TokensPerCpuSecond, r.Fp32!.Max(p => p[0]), r.Fp32!.Max(p => p[1])));
            Console.WriteLine(string.Create(inv, $"ratio TorchSharp / PyTorch: tokens/s {ours.TokensPerSecond / r.TokensPerSecond:F2}, tokens per CPU-s {ours.TokensPerCpuSecond / r.TokensPerCpuSecond:F2}"));
        }
        Console.WriteLine($"the trainer itself (CausalLmTrainer on random tokens, {3 * steps} steps; its loop time includes the first steps and the final checkpoint):");
        foreach (var bf16 in new[] { false, true })
        {
            var (summary, cpuSeconds, peakLine) = ThroughputBenchmark.RunTrainer(bf16, 3 * steps, threads);
            var peakCpu = bf16 ? ours.Bf16?.FlopsPerCpuSecond : ours.Fp32.FlopsPerCpuSecond;
            var perCpu = summary.Tokens / cpuSeconds;
            Console.WriteLine(string.Create(inv, $"  {(bf16 ? "bf16: true" : "fp32"),-12} {summary.TokensPerSecond,7:F0} tokens/s, trainer's MFU {100 * summary.Mfu:F1}% of its own start-up peak {summary.PeakFlops / 1e9:F1} GFLOP/s | ") +
                              string.Create(inv, $"{perCpu,7:F0} tokens/CPU-s, MFU per CPU-s {100 * flopsPerToken * perCpu / peakCpu:F1}% of the bench's {(bf16 ? "bf16" : "fp32")} peak {peakCpu / 1e9:F1}; last loss {summary.LastLoss:F3}"));
            Console.WriteLine($"      ({peakLine})");
        }
        foreach (var line in StepBreakdown.Run(c, ThroughputBenchmark.Batch, Math.Max(2, steps / 2), ours.Fp32.Flops, ours.Fp32.FlopsPerCpuSecond)) Console.WriteLine(line);
        Console.WriteLine(string.Create(inv, $"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}"));
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: shakespeare-data INPUT OUTPUT [SEQ_LEN] | throughput [STEPS] [THREADS] [PYTHON]");
        return 2;
}

static PythonResult? RunPython(string python, int steps, int threads, IReadOnlyList<MatmulShape> shapes)
{
    var script = Path.Combine(AppContext.BaseDirectory, "reference_llama.py");
    var shapeJson = JsonSerializer.Serialize(shapes.Select(s => new object[] { s.Name, s.Batch, s.M, s.K, s.N, s.TransposeA, s.TransposeB }));
    var start = new ProcessStartInfo(python, [script, steps.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture), shapeJson])
    {
        RedirectStandardOutput = true, RedirectStandardError = true,
    };
    start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
    start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
    try
    {
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch reference failed ({python}): {error.Result.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        var json = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        static double[][]? Table(JsonNode? node) => node?.AsArray().Select(row => row!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
        return new PythonResult(json["tokens_per_second"]!.GetValue<double>(), json["tokens_per_cpu_second"]!.GetValue<double>(),
            Table(json["fp32"]), Table(json["bf16"]), json["bf16_error"]?.GetValue<string>(), json["torch"]!.GetValue<string>());
    }
    catch (System.ComponentModel.Win32Exception)
    {
        Console.WriteLine($"PyTorch reference skipped: {python} not found (apt-get install python3-torch libopenblas0-pthread)");
        return null;
    }
}

/// <summary>What reference_llama.py measured: tokens per wall and CPU second; per shape [FLOP/s, FLOP per CPU-s] in fp32 and bf16.</summary>
internal sealed record PythonResult(double TokensPerSecond, double TokensPerCpuSecond, double[][]? Fp32, double[][]? Bf16, string? Bf16Error, string Version);
