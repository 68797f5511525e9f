namespace DataFlow.Trainer.Interop;

/// <summary>
/// <c>init: hf:PATH</c> (sft, reward) and <c>actor: hf:PATH</c> (ppo): a Hugging Face folder a stage starts from. It is
/// imported once into <c>OUTPUT/hf_init</c> (the stage's own output folder) and the stage then reads that model folder;
/// a rerun reuses the import when it came from the same folder.
/// </summary>
public static class HfModelReference
{
    public const string Prefix = "hf:";
    public const string ImportDir = "hf_init";
    private const string SourceFile = "hf_source.txt";

    public static bool IsHf(string? reference) => reference is not null && reference.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The model folder for <paramref name="reference"/>: itself unless it is <c>hf:PATH</c>, then the import of PATH under <paramref name="outputDir"/>.</summary>
    public static string Resolve(string reference, string outputDir, Action<string>? log = null)
    {
        if (!IsHf(reference)) return reference;
        var source = Path.GetFullPath(reference[Prefix.Length..]);
        if (!Directory.Exists(source)) throw new DirectoryNotFoundException($"{reference}: no such folder");
        var target = Path.Combine(outputDir, ImportDir);
        var marker = Path.Combine(target, SourceFile);
        Directory.CreateDirectory(outputDir);
        // Data-parallel ranks start together: one imports, the others wait on the lock and then find the marker.
        using var gate = Lock(Path.Combine(outputDir, ImportDir + ".lock"));
        if (File.Exists(marker) && File.ReadAllText(marker).Trim() == source) return target;
        var config = HfImport.Run(source, target);
        File.WriteAllText(marker, source + "\n");
        log?.Invoke($"imported {source} ({config.ParameterCount:N0} parameters) into {target}");
        return target;
    }

    /// <summary>An exclusive lock file (.NET takes an advisory lock for FileShare.None and fails at once when it is held: poll).</summary>
    private static FileStream Lock(string path)
    {
        for (var waited = TimeSpan.Zero; ; waited += TimeSpan.FromSeconds(1))
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (waited < TimeSpan.FromHours(2)) { Thread.Sleep(TimeSpan.FromSeconds(1)); }
        }
    }
}
