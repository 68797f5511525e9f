// Classifier bench: one model, one input file, one core, side by side in one run:
//   fastText  = `fasttext predict MODEL FILE 1` (single-threaded C++), CPU seconds of the child (user + sys) minus
//               those of the same command over an empty file (model loading);
//   ours      = FastTextModel.Predict over the same lines on one thread, CPU seconds of this process (load excluded).
// Prints docs/s and MB/s per CPU-second for each, the ratio, and checks that the top labels agree on every line.
// Usage: dotnet run -c Release --project bench/DataFlow.Bench.Classifier -- MODEL(.bin|.ftz) FILE [--mb N] [--repeat N]
//   --mb N: the file is repeated until it holds at least N MB (default 20) so that timings are not noise.
//   --repeat N: each side runs N times; the fastest run counts (default 3).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataFlow.Text.Classification;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DataFlow.Bench.Classifier MODEL FILE [--mb N] [--repeat N]");
    return 2;
}
var (modelPath, source) = (args[0], args[1]);
double targetMb = 20;
var repeat = 3;
for (var i = 2; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--mb": targetMb = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

// The input: the source file's lines repeated to the target size, written once so both sides read the same bytes.
var sourceBytes = File.ReadAllBytes(source);
if (sourceBytes.Length == 0 || sourceBytes[^1] != '\n') sourceBytes = [.. sourceBytes, (byte)'\n'];
var work = Directory.CreateTempSubdirectory("dataflow-bench-classifier-");
var input = Path.Combine(work.FullName, "input.txt");
var empty = Path.Combine(work.FullName, "empty.txt");
File.WriteAllBytes(empty, []);
using (var f = File.Create(input))
{
    do f.Write(sourceBytes); while (f.Length < targetMb * 1e6);
}
var bytes = File.ReadAllBytes(input);
var lines = new List<(int Start, int Length)>();
for (int i = 0, start = 0; i < bytes.Length; i++)
{
    if (bytes[i] != '\n') continue;
    lines.Add((start, i - start));
    start = i + 1;
}
var mb = bytes.Length / 1e6;

var loadWatch = Stopwatch.StartNew();
var model = FastTextModel.Load(modelPath);
loadWatch.Stop();
Console.WriteLine($"model {Path.GetFileName(modelPath)}: {model.Args.Loss}, dim {model.Args.Dim}, {model.Dictionary.WordCount} words, {model.Labels.Count} labels, " +
    $"wordNgrams {model.Args.WordNgrams}, minn/maxn {model.Args.MinN}/{model.Args.MaxN}, {(model.IsQuantized ? "quantized" : "dense")}; loaded in {loadWatch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"input: {lines.Count} lines, {mb:F1} MB ({Path.GetFileName(source)} repeated); one core, best of {repeat}");

// fastText: CPU time of the child process, model loading subtracted.
var fastTextLoad = Enumerable.Range(0, repeat).Min(_ => RunFastText(empty).Cpu);
var fastTextRuns = Enumerable.Range(0, repeat).Select(_ => RunFastText(input)).ToList();
var fastTextCpu = fastTextRuns.Min(r => r.Cpu) - fastTextLoad;
var fastTextLabels = fastTextRuns[0].Labels;

// Ours: one thread, CPU time of this process around the loop (after a warm-up pass over the first 10 %).
var top = new FastTextPrediction[1];
var ourLabels = new int[lines.Count];
void Pass(int count)
{
    for (var i = 0; i < count; i++)
    {
        var (start, length) = lines[i];
        ourLabels[i] = model.Predict(bytes.AsSpan(start, length), top) == 0 ? -1 : top[0].LabelIndex;
    }
}
Pass(lines.Count / 10);
var ourCpu = double.MaxValue;
for (var r = 0; r < repeat; r++)
{
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    Pass(lines.Count);
    ourCpu = Math.Min(ourCpu, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalSeconds);
}

var disagreements = 0;
for (var i = 0; i < lines.Count; i++)
{
    var ours = ourLabels[i] < 0 ? "" : model.Labels[ourLabels[i]];
    if (ours != fastTextLabels[i]) disagreements++;
}
Console.WriteLine($"{"",-10} {"CPU s",8} {"docs/s",12} {"MB/s",8}");
Console.WriteLine($"{"fastText",-10} {fastTextCpu,8:F2} {lines.Count / fastTextCpu,12:N0} {mb / fastTextCpu,8:F2}   (model load {fastTextLoad:F2} s excluded)");
Console.WriteLine($"{"ours",-10} {ourCpu,8:F2} {lines.Count / ourCpu,12:N0} {mb / ourCpu,8:F2}");
Console.WriteLine($"ours / fastText speed: {fastTextCpu / ourCpu:F2}x; top labels differ on {disagreements} of {lines.Count} lines");
work.Delete(recursive: true);
return disagreements == 0 ? 0 : 1;

(double Cpu, List<string> Labels) RunFastText(string file)
{
    var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
    // bash's `times` reports the CPU time of finished children: the only child here is fasttext.
    info.ArgumentList.Add("-c");
    info.ArgumentList.Add("fasttext predict \"$1\" \"$2\" 1 > \"$3\"; status=$?; times >&2; exit $status");
    info.ArgumentList.Add("bash");
    info.ArgumentList.Add(modelPath);
    info.ArgumentList.Add(file);
    info.ArgumentList.Add(Path.Combine(work.FullName, "fasttext.out"));
    using var p = Process.Start(info)!;
    var stderr = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"fasttext predict failed: {stderr}");
    // `times` prints two lines: the shell's own user/sys, then its children's ("0m1.234s 0m0.056s").
    var children = stderr.Trim().Split('\n')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    var cpu = children.Sum(ParseTime);
    var labels = File.ReadAllLines(Path.Combine(work.FullName, "fasttext.out"), Encoding.UTF8).ToList();
    return (cpu, labels);
}

static double ParseTime(string t)
{
    var m = t.IndexOf('m');
    return int.Parse(t[..m], CultureInfo.InvariantCulture) * 60 + double.Parse(t[(m + 1)..^1], CultureInfo.InvariantCulture);
}
