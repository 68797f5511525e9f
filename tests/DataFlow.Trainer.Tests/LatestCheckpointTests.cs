using DataFlow.Trainer.Checkpoints;

namespace DataFlow.Trainer.Tests;

/// <summary>The single replaced checkpoint of SFT, reward and PPO: a kill at any point of a save leaves one to resume from.</summary>
public sealed class LatestCheckpointTests
{
    private static void WriteStep(string folder, int step) => File.WriteAllText(Path.Combine(folder, "state.json"), $"{{\"step\":{step}}}");

    private static string StepIn(string folder) => File.ReadAllText(Path.Combine(folder, "state.json"));

    [Fact]
    public void Replace_publishes_the_new_checkpoint_and_leaves_nothing_beside_it()
    {
        var checkpoint = Path.Combine(TinyModels.TempDir("latest"), "checkpoint");
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 10));
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 20));
        Assert.Equal("{\"step\":20}", StepIn(LatestCheckpoint.Open(checkpoint)));
        Assert.Equal([checkpoint], Directory.GetDirectories(Path.GetDirectoryName(checkpoint)!));
    }

    [Fact]
    public void A_kill_between_the_two_renames_gives_back_the_previous_checkpoint()
    {
        var checkpoint = Path.Combine(TinyModels.TempDir("latest"), "checkpoint");
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 10));
        // The state a kill leaves after the old checkpoint was moved aside and before the new one was moved in.
        Directory.Move(checkpoint, checkpoint + ".old");
        Directory.CreateDirectory(checkpoint + ".tmp");
        WriteStep(checkpoint + ".tmp", 20);

        Assert.Equal("{\"step\":10}", StepIn(LatestCheckpoint.Open(checkpoint)));
        Assert.False(Directory.Exists(checkpoint + ".old"));
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 30)); // the next save clears the stale temporary
        Assert.Equal("{\"step\":30}", StepIn(checkpoint));
        Assert.Equal([checkpoint], Directory.GetDirectories(Path.GetDirectoryName(checkpoint)!));
    }

    [Fact]
    public void A_kill_after_the_swap_keeps_the_new_checkpoint_and_drops_the_old()
    {
        var checkpoint = Path.Combine(TinyModels.TempDir("latest"), "checkpoint");
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 20));
        Directory.CreateDirectory(checkpoint + ".old");
        WriteStep(checkpoint + ".old", 10);

        Assert.Equal("{\"step\":20}", StepIn(LatestCheckpoint.Open(checkpoint)));
        Assert.False(Directory.Exists(checkpoint + ".old"));
    }

    [Fact]
    public void A_write_that_fails_leaves_the_published_checkpoint_alone()
    {
        var checkpoint = Path.Combine(TinyModels.TempDir("latest"), "checkpoint");
        LatestCheckpoint.Replace(checkpoint, temp => WriteStep(temp, 10));
        Assert.Throws<IOException>(() => LatestCheckpoint.Replace(checkpoint, temp => throw new IOException("disk full")));
        Assert.Equal("{\"step\":10}", StepIn(LatestCheckpoint.Open(checkpoint)));
    }
}
