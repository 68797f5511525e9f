using System.Diagnostics;
using System.Globalization;
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
        Console.WriteLine($"model: dim {c.Dim}, {c.Layers} layers, {c.Heads} heads, context {c.ContextLength}, batch {ThroughputBenchmark.Batch}, vocab {c.VocabSize}; " +
                          $"{c.ParameterCount:N0} parameters, {c.TrainingFlopsPerToken(c.ContextLength) / 1e6:F1} MFLOP/token; {steps} timed steps, {threads} threads");
        var (ours, peak) = ThroughputBenchmark.Run(steps, threads);
        Console.WriteLine(ThroughputBenchmark.Describe("TorchSharp", ours, peak));
        var reference = RunPython(python, steps, threads);
        if (reference is { } r)
        {
            Console.WriteLine(ThroughputBenchmark.Describe("PyTorch", r.TokensPerSecond, r.Peak));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio TorchSharp / PyTorch tokens/s: {ours / r.TokensPerSecond:F2}"));
        }
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: shakespeare-data INPUT OUTPUT [SEQ_LEN] | throughput [STEPS] [THREADS] [PYTHON]");
        return 2;
}

static (double TokensPerSecond, double Peak)? RunPython(string python, int steps, int threads)
{
    var script = Path.Combine(AppContext.BaseDirectory, "reference_llama.py");
    var start = new ProcessStartInfo(python, [script, steps.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture)])
    {
        RedirectStandardOutput = true, RedirectStandardError = true,
    };
    start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
    start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
    try
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch reference failed ({python}): {error.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        var parts = output.Trim().Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
    catch (System.ComponentModel.Win32Exception)
    {
        Console.WriteLine($"PyTorch reference skipped: {python} not found (apt-get install python3-torch)");
        return null;
    }
}
