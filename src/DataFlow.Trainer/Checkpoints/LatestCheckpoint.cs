namespace DataFlow.Trainer.Checkpoints;

/// <summary>
/// A single checkpoint folder that a trainer replaces as it goes (SFT, reward and PPO keep only the latest). The new
/// one is written beside it and swapped in with two renames, and a trainer calls <see cref="Open"/> before reading,
/// so a kill at any instant leaves a readable checkpoint: the new one, or the previous one.
/// </summary>
public static class LatestCheckpoint
{
    /// <summary>Writes a checkpoint with <paramref name="write"/> (given an empty folder) and makes it <paramref name="directory"/>.</summary>
    public static void Replace(string directory, Action<string> write)
    {
        var temp = directory + ".tmp";
        var previous = directory + ".old";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        write(temp);
        Open(directory); // settles a swap a kill interrupted before this one starts
        if (Directory.Exists(directory)) Directory.Move(directory, previous);
        Directory.Move(temp, directory);
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
    }

    /// <summary>
    /// Completes or undoes a swap that a kill interrupted: with the checkpoint moved aside and the new one not yet in
    /// place, the previous checkpoint is put back; a leftover previous one beside a complete checkpoint is deleted.
    /// Returns <paramref name="directory"/>.
    /// </summary>
    public static string Open(string directory)
    {
        var previous = directory + ".old";
        if (!Directory.Exists(previous)) return directory;
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(previous, recursive: true);
            else Directory.Move(previous, directory);
        }
        catch (Exception e) when (e is IOException && Directory.Exists(directory))
        {
            // Another rank of the same run settled it first.
        }
        return directory;
    }
}
