using DataFlow.Trainer.Checkpoints;

namespace DataFlow.Trainer.Tests;

public sealed class CheckpointTests
{
    private static CheckpointState State(long step) => new() { Kind = "pretrain", Model = TinyModels.Config(), Step = step };

    [Fact]
    public void A_write_that_dies_halfway_publishes_nothing_and_the_previous_checkpoint_still_loads()
    {
        using var model = TinyModels.Build();
        var store = new CheckpointStore(TinyModels.TempDir("atomic"));
        var good = store.Save(10, folder => TrainingCheckpoint.Write(folder, model, null, State(10)));

        Assert.Throws<IOException>(() => store.Save(20, folder =>
        {
            TrainingCheckpoint.Write(folder, model, null, State(20));
            File.WriteAllText(Path.Combine(folder, "model.safetensors"), "half a file"); // as if killed mid-write
            throw new IOException("simulated crash");
        }));

        Assert.Equal(good, store.Latest());
        Assert.Single(Directory.EnumerateDirectories(store.Directory));
        var (loaded, state) = TrainingCheckpoint.LoadModel(good);
        Assert.Equal(10, state.Step);
        loaded.Dispose();
    }

    [Fact]
    public void A_temporary_folder_left_by_a_killed_writer_is_never_listed_and_is_cleaned_up()
    {
        using var model = TinyModels.Build();
        var store = new CheckpointStore(TinyModels.TempDir("stale"));
        var stale = Path.Combine(store.Directory, ".tmp-step-00000030-999999");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "model.safetensors"), "partial");
        Assert.Null(store.Latest());
        store.Save(40, folder => TrainingCheckpoint.Write(folder, model, null, State(40)));
        Assert.False(Directory.Exists(stale));
        Assert.Equal([40L], store.List().Select(c => c.Step));
    }

    [Fact]
    public void A_damaged_tensor_file_is_reported_by_name()
    {
        using var model = TinyModels.Build();
        var store = new CheckpointStore(TinyModels.TempDir("damaged"));
        var path = store.Save(5, folder => TrainingCheckpoint.Write(folder, model, null, State(5)));
        var file = Path.Combine(path, TrainingCheckpoint.ModelFile);
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadModel(path));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void Loading_into_a_model_of_another_shape_names_both_shapes()
    {
        using var model = TinyModels.Build();
        var store = new CheckpointStore(TinyModels.TempDir("shape"));
        var path = store.Save(1, folder => TrainingCheckpoint.Write(folder, model, null, State(1)));
        using var wider = TinyModels.Build(TinyModels.Config() with { Dim = 64 });
        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadWeights(path, wider));
        Assert.Contains("dim 32", e.Message);
        Assert.Contains("dim 64", e.Message);
    }

    // A kill at each point of a save: AtPoint throws there, which leaves the folders as a kill would (only the write
    // itself is wrapped in cleanup). A fresh store (the next process) must find a complete, readable newest checkpoint.
    private static void WriteStep(string folder, long step) => File.WriteAllText(Path.Combine(folder, "state.json"), $"{{\"step\":{step}}}");

    private static string StepIn(string folder) => File.ReadAllText(Path.Combine(folder, "state.json"));

    [Theory]
    [InlineData("written", 1, "{\"step\":10}")]
    [InlineData("published", 1, "{\"step\":20}")]
    [InlineData("pruning", 1, "{\"step\":20}")]
    [InlineData("written", 3, "{\"step\":10}")]
    [InlineData("published", 3, "{\"step\":20}")]
    public void A_kill_at_any_point_of_a_save_leaves_a_readable_latest(string point, int keepLast, string expected)
    {
        var dir = TinyModels.TempDir("kill");
        new CheckpointStore(dir, keepLast).Save(10, temp => WriteStep(temp, 10));
        var dying = new CheckpointStore(dir, keepLast) { AtPoint = p => { if (p == point) throw new OperationCanceledException("killed at " + p); } };
        Assert.Throws<OperationCanceledException>(() => dying.Save(20, temp => WriteStep(temp, 20)));

        var next = new CheckpointStore(dir, keepLast);
        Assert.Equal(expected, StepIn(next.Latest()!));
        next.Save(30, temp => WriteStep(temp, 30)); // the next save clears what the kill left
        Assert.Equal("{\"step\":30}", StepIn(next.Latest()!));
        Assert.All(Directory.GetDirectories(dir), d => Assert.StartsWith("step-", Path.GetFileName(d)));
        Assert.InRange(Directory.GetDirectories(dir).Length, 1, keepLast);
    }

    [Theory]
    [InlineData("written", "{\"step\":20,\"v\":1}")]
    [InlineData("moved-aside", "{\"step\":20,\"v\":1}")]
    [InlineData("published", "{\"step\":20,\"v\":2}")]
    public void A_kill_while_re_saving_a_step_leaves_that_step_readable(string point, string expected)
    {
        // keep_last 1: the step being re-saved is the only checkpoint, so moving it aside must not lose it.
        var dir = TinyModels.TempDir("resave");
        new CheckpointStore(dir, 1).Save(20, temp => File.WriteAllText(Path.Combine(temp, "state.json"), "{\"step\":20,\"v\":1}"));
        var dying = new CheckpointStore(dir, 1) { AtPoint = p => { if (p == point) throw new OperationCanceledException("killed at " + p); } };
        Assert.Throws<OperationCanceledException>(() => dying.Save(20, temp => File.WriteAllText(Path.Combine(temp, "state.json"), "{\"step\":20,\"v\":2}")));

        var next = new CheckpointStore(dir, 1);
        Assert.Equal([20L], next.List().Select(c => c.Step));
        Assert.Equal(expected, StepIn(next.Latest()!));
        next.Save(30, temp => WriteStep(temp, 30));
        Assert.Equal([Path.Combine(dir, "step-00000030")], Directory.GetDirectories(dir));
    }

    [Fact]
    public void A_write_that_fails_leaves_the_published_checkpoint_alone()
    {
        var store = new CheckpointStore(TinyModels.TempDir("fails"), 1);
        store.Save(10, temp => WriteStep(temp, 10));
        Assert.Throws<IOException>(() => store.Save(20, _ => throw new IOException("disk full")));
        Assert.Equal("{\"step\":10}", StepIn(store.Latest()!));
        Assert.Single(Directory.GetDirectories(store.Directory));
    }

    [Fact]
    public void An_output_folder_in_the_old_single_checkpoint_layout_is_refused_with_the_new_name()
    {
        var output = TinyModels.TempDir("old-layout");
        Directory.CreateDirectory(Path.Combine(output, "checkpoint"));
        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.In(output, 1));
        Assert.Contains("renamed to checkpoints/step-", e.Message);
    }
}
