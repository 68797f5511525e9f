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
}
