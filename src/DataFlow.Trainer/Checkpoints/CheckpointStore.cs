using System.Globalization;

namespace DataFlow.Trainer.Checkpoints;

/// <summary>
/// The checkpoints of one training run (pretrain, SFT, reward, PPO): a folder of <c>step-00000123</c> folders. Each is
/// written into a hidden temporary folder and renamed into place only when complete, so a process killed at any
/// instant of a save leaves the newest complete checkpoint readable: a temporary is never listed (and the next writer
/// cleans it up), and a step being re-saved is moved aside first and still counts until its replacement is in place.
/// Keeps the newest <see cref="KeepLast"/>; training resumes from <see cref="Latest"/>.
/// </summary>
public sealed class CheckpointStore
{
    /// <summary>The store's folder name inside a training output folder.</summary>
    public const string FolderName = "checkpoints";

    private const string Prefix = "step-";
    private const string TempPrefix = ".tmp-";
    private const string AsidePrefix = TempPrefix + "old-";

    public CheckpointStore(string directory, int keepLast = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        Directory = Path.GetFullPath(directory);
        KeepLast = keepLast;
    }

    /// <summary>
    /// The store of a training output folder: <c>OUTPUT/checkpoints</c>. An output folder in the layout SFT, reward and
    /// PPO wrote before (one <c>OUTPUT/checkpoint</c> folder) is refused with the way to carry it over.
    /// </summary>
    public static CheckpointStore In(string outputDir, int keepLast)
    {
        var store = new CheckpointStore(Path.Combine(outputDir, FolderName), keepLast);
        var old = Path.Combine(outputDir, "checkpoint");
        if (System.IO.Directory.Exists(old) && store.List().Count == 0)
            throw new InvalidDataException($"{old}: the single 'checkpoint' folder was renamed to {FolderName}/step-NNNNNNNN; " +
                $"move it to {store.Directory}/{Prefix}<its step, 8 digits> to resume from it, or delete it to start over");
        return store;
    }

    public string Directory { get; }
    public int KeepLast { get; }

    /// <summary>Called with the name of each point of a save as it is passed (tests throw from it to stand for a kill there).</summary>
    internal Action<string>? AtPoint { get; init; }

    /// <summary>Complete checkpoints, oldest first (read-only, so every rank of a run may call it at once).</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var published = System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*")
            .Select(path => (Step: StepOf(Path.GetFileName(path)), Path: path))
            .Where(c => c.Step is not null)
            .ToDictionary(c => c.Step!.Value, c => c.Path);
        // A step moved aside for a re-save that a kill interrupted is still that step's checkpoint.
        foreach (var (step, path) in Aside())
            published.TryAdd(step, path);
        return published.OrderBy(c => c.Key).Select(c => (c.Key, c.Value)).ToList();
    }

    public string? Latest() => List() is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>
    /// Runs <paramref name="write"/> on an empty temporary folder, then publishes it as the checkpoint of
    /// <paramref name="step"/> with one rename and prunes old ones. If <paramref name="write"/> throws, nothing is published.
    /// </summary>
    public string Save(long step, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Settle();
        var name = NameOf(step);
        var final = Path.Combine(Directory, name);
        var temp = Path.Combine(Directory, $"{TempPrefix}{name}-{Environment.ProcessId}");
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        System.IO.Directory.CreateDirectory(temp);
        try
        {
            write(temp);
        }
        catch
        {
            System.IO.Directory.Delete(temp, recursive: true);
            throw;
        }
        AtPoint?.Invoke("written");
        if (System.IO.Directory.Exists(final))
        {
            // Re-saving a step (a rerun that reaches it again): move the old one aside first, the rename below stays atomic.
            var old = Path.Combine(Directory, $"{AsidePrefix}{name}-{Environment.ProcessId}");
            System.IO.Directory.Move(final, old);
            AtPoint?.Invoke("moved-aside");
            System.IO.Directory.Move(temp, final);
            AtPoint?.Invoke("published");
            System.IO.Directory.Delete(old, recursive: true);
        }
        else
        {
            System.IO.Directory.Move(temp, final);
            AtPoint?.Invoke("published");
        }
        Prune();
        return final;
    }

    private void Prune()
    {
        var all = List();
        // Rename first: a kill during the recursive delete must not leave a half-deleted folder that is still listed.
        for (var i = 0; i < all.Count - KeepLast; i++)
        {
            var doomed = Path.Combine(Directory, $"{TempPrefix}prune-{Path.GetFileName(all[i].Path)}-{Environment.ProcessId}");
            System.IO.Directory.Move(all[i].Path, doomed);
            AtPoint?.Invoke("pruning");
            System.IO.Directory.Delete(doomed, recursive: true);
        }
    }

    /// <summary>Finishes what a killed writer left: a step moved aside goes back (or away, if its replacement is in place); other temporaries go.</summary>
    private void Settle()
    {
        foreach (var (step, path) in Aside())
        {
            var final = Path.Combine(Directory, NameOf(step));
            if (!System.IO.Directory.Exists(final)) System.IO.Directory.Move(path, final);
        }
        foreach (var stale in System.IO.Directory.EnumerateDirectories(Directory, TempPrefix + "*"))
        {
            try { System.IO.Directory.Delete(stale, recursive: true); }
            catch (IOException) { /* another writer's folder in use; it cleans up after itself */ }
        }
    }

    /// <summary>Steps moved aside by a re-save (<c>.tmp-old-step-N-PID</c>).</summary>
    private IEnumerable<(long Step, string Path)> Aside()
    {
        foreach (var path in System.IO.Directory.EnumerateDirectories(Directory, AsidePrefix + Prefix + "*"))
        {
            var name = Path.GetFileName(path)[AsidePrefix.Length..];
            var dash = name.LastIndexOf('-');
            if (dash > Prefix.Length && StepOf(name[..dash]) is { } step) yield return (step, path);
        }
    }

    private static string NameOf(long step) => Prefix + step.ToString("D8", CultureInfo.InvariantCulture);

    private static long? StepOf(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal)
        && long.TryParse(name[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var step) ? step : null;
}
