using System.Globalization;

namespace DataFlow.Trainer.Checkpoints;

/// <summary>
/// A folder of checkpoints named <c>step-00000123</c>. Each is written into a hidden temporary folder and renamed
/// into place only when complete, so a process killed mid-write leaves at most a temporary folder that is never
/// listed (and is cleaned up by the next writer). Keeps the newest <see cref="KeepLast"/>.
/// </summary>
public sealed class CheckpointStore
{
    private const string Prefix = "step-";
    private const string TempPrefix = ".tmp-";

    public CheckpointStore(string directory, int keepLast = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        Directory = Path.GetFullPath(directory);
        KeepLast = keepLast;
    }

    public string Directory { get; }
    public int KeepLast { get; }

    /// <summary>Complete checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.EnumerateDirectories(Directory, Prefix + "*")
            .Select(path => (Ok: long.TryParse(Path.GetFileName(path)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var step), Step: step, Path: path))
            .Where(c => c.Ok)
            .OrderBy(c => c.Step)
            .Select(c => (c.Step, c.Path))
            .ToList();
    }

    public string? Latest() => List() is { Count: > 0 } all ? all[^1].Path : null;

    /// <summary>
    /// Runs <paramref name="write"/> on an empty temporary folder, then publishes it as the checkpoint of
    /// <paramref name="step"/> with one rename and prunes old ones. If <paramref name="write"/> throws, nothing is published.
    /// </summary>
    public string Save(long step, Action<string> write)
    {
        System.IO.Directory.CreateDirectory(Directory);
        RemoveStaleTemporaries();
        var name = Prefix + step.ToString("D8", CultureInfo.InvariantCulture);
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
        if (System.IO.Directory.Exists(final))
        {
            // Re-saving a step (a resumed run that reaches it again): move the old one aside first, the rename below stays atomic.
            var old = Path.Combine(Directory, $"{TempPrefix}old-{name}-{Environment.ProcessId}");
            System.IO.Directory.Move(final, old);
            System.IO.Directory.Move(temp, final);
            System.IO.Directory.Delete(old, recursive: true);
        }
        else
        {
            System.IO.Directory.Move(temp, final);
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
            System.IO.Directory.Delete(doomed, recursive: true);
        }
    }

    private void RemoveStaleTemporaries()
    {
        foreach (var stale in System.IO.Directory.EnumerateDirectories(Directory, TempPrefix + "*"))
        {
            try { System.IO.Directory.Delete(stale, recursive: true); }
            catch (IOException) { /* another writer's folder in use; it cleans up after itself */ }
        }
    }
}
