using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Sft;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Sft;

public class ModelWeightsLoadTests
{
    /// <summary>The model's own tensors with one dropped, one added and one of the wrong shape.</summary>
    private static (string Path, string Missing, string Misshapen, string Expected) WriteDamaged(Transformer model, string directory)
    {
        var tensors = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
        var names = tensors.Keys.Where(k => tensors[k].dim() == 2).Order(StringComparer.Ordinal).ToList();
        var (missing, misshapen) = (names[0], names[1]);
        tensors.Remove(missing);
        var shape = model.state_dict()[misshapen].shape;
        tensors[misshapen] = zeros(shape[0], shape[1] + 1);
        tensors["extra_head.weight"] = zeros(3, 4);
        var path = Path.Combine(directory, "damaged.safetensors");
        Safetensors.SaveStateDict(path, tensors);
        return (path, missing, misshapen, $"{misshapen}: file [{shape[0]}, {shape[1] + 1}] vs model [{shape[0]}, {shape[1]}]");
    }

    [Fact]
    public void A_strict_load_names_the_file_and_each_missing_unexpected_and_misshapen_tensor()
    {
        torch.manual_seed(1);
        using var model = new Transformer(RlhfFixtures.Config());
        var (path, missing, misshapen, expected) = WriteDamaged(model, RlhfFixtures.TempDirectory());
        var before = model.state_dict()[misshapen].clone();

        var e = Assert.Throws<InvalidDataException>(() => ModelWeights.LoadInto(model, path));
        Assert.Contains(path, e.Message);
        Assert.Contains(missing, e.Message);
        Assert.Contains("extra_head.weight", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.True(model.state_dict()[misshapen].allclose(before, rtol: 0, atol: 0), "a rejected file must not change the model");
    }

    [Fact]
    public void A_non_strict_load_tolerates_missing_and_extra_tensors_but_not_a_shape_mismatch()
    {
        torch.manual_seed(2);
        using var model = new Transformer(RlhfFixtures.Config());
        var (path, missing, _, expected) = WriteDamaged(model, RlhfFixtures.TempDirectory());

        var e = Assert.Throws<InvalidDataException>(() => ModelWeights.LoadInto(model, path, strict: false));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(missing, e.Message);
        Assert.DoesNotContain("extra_head.weight", e.Message);
    }

    [Fact]
    public void A_prefix_loads_a_reward_models_transformer_and_ignores_its_head()
    {
        torch.manual_seed(3);
        var directory = RlhfFixtures.TempDirectory();
        using var reward = new RewardModel(RlhfFixtures.Config());
        var path = Path.Combine(directory, "reward.safetensors");
        Safetensors.SaveStateDict(path, reward.state_dict());
        using var model = new Transformer(RlhfFixtures.Config());

        ModelWeights.LoadInto(model, path, prefix: "transformer.");
        foreach (var (name, tensor) in model.state_dict())
            Assert.True(tensor.allclose(reward.transformer.state_dict()[name], rtol: 0, atol: 0), $"{name} was not loaded");
        Assert.Throws<InvalidDataException>(() => ModelWeights.LoadInto(model, path)); // without the prefix nothing matches
    }

    [Fact]
    public void A_checkpoint_whose_weights_do_not_fit_names_the_tensor()
    {
        torch.manual_seed(4);
        var folder = RlhfFixtures.TempDirectory();
        using var model = new Transformer(RlhfFixtures.Config());
        TrainingCheckpoint.Write(folder, model, null, new CheckpointState { Kind = "pretrain", Model = model.Config, Step = 1 });
        var (damaged, missing, _, expected) = WriteDamaged(model, folder);
        // Rewrites the weights and their checksum, as a checkpoint from another build of the model would be.
        File.Move(damaged, Path.Combine(folder, TrainingCheckpoint.ModelFile), overwrite: true);
        var statePath = Path.Combine(folder, CheckpointState.FileName);
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(statePath))!;
        using (var stream = File.OpenRead(Path.Combine(folder, TrainingCheckpoint.ModelFile)))
            state["files"]![TrainingCheckpoint.ModelFile] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        File.WriteAllText(statePath, state.ToJsonString());

        var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.LoadWeights(folder, model));
        Assert.Contains(missing, e.Message);
        Assert.Contains(expected, e.Message);
    }
}
