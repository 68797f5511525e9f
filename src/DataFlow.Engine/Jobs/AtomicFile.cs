namespace DataFlow.Engine.Jobs;

/// <summary>Writes that are all-or-nothing: a temporary file in the same folder, then a rename.</summary>
public static class AtomicFile
{
    /// <summary>The temporary name a final path is written under; unique per process so concurrent writers never collide.</summary>
    public static string TempPathFor(string finalPath) => $"{finalPath}.{Environment.ProcessId}.tmp";

    public static void WriteAllText(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = TempPathFor(path);
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes temporaries left by killed writers of <paramref name="finalPath"/>.</summary>
    public static void DeleteTemporaries(string finalPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        if (!Directory.Exists(dir)) return;
        foreach (var stale in Directory.EnumerateFiles(dir, Path.GetFileName(finalPath) + ".*.tmp"))
        {
            try { File.Delete(stale); } catch (IOException) { }
        }
    }
}
