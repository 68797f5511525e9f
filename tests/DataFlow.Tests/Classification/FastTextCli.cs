using System.Diagnostics;

namespace DataFlow.Tests.Classification;

/// <summary>Debian's `fasttext` 0.9.2 command line, the reference our fastText code is checked against.</summary>
public static class FastTextCli
{
    public const string Executable = "fasttext";

    /// <summary>Runs fasttext with the arguments; fails the test (never skips) when it is missing or fails.</summary>
    public static string Run(params string[] args)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("the fastText CLI is not installed (apt-get install fasttext; .ci/run installs it)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"fasttext {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}");
            return stdout.Result;
        }
    }

    /// <summary>`fasttext predict-prob MODEL TEST k [threshold]`, one list of (label, probability) per input line.</summary>
    public static List<List<(string Label, double Probability)>> PredictProb(string model, string input, int k, float? threshold = null)
    {
        var args = new List<string> { "predict-prob", model, input, k.ToString() };
        if (threshold is { } t) args.Add(t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var output = Run([.. args]);
        var lines = output.Split('\n');
        // The output ends with a newline: drop the empty piece after it.
        return lines.Take(lines.Length - 1).Select(line =>
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Enumerable.Range(0, f.Length / 2)
                .Select(i => (f[2 * i], double.Parse(f[2 * i + 1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        }).ToList();
    }
}
