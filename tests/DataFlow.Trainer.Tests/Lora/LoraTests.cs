using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Sft;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Lora;

public class LoraTests
{
    private static Tensor Tokens() => torch.randint(0, 262, [2, 12], dtype: int64);

    [Fact]
    public void Attach_freezes_the_base_and_a_training_step_moves_only_adapters()
    {
        torch.manual_seed(1);
        using var model = new Transformer(RlhfFixtures.Config());
        var baseBefore = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        using var adapters = LoraAdapters.Attach(model, new LoraConfig { Rank = 4, Alpha = 8, Dropout = 0.1 });
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        Assert.Equal(2 * 7, adapters.Adapters.Count);
        Assert.Equal(2L * (4 * 4 * (32 + 32) + 3 * 4 * (32 + model.Config.Hidden)), adapters.ParameterCount);

        var bBefore = adapters.Adapters.Values.First().lora_B.clone();
        using var optimizer = new DataFlow.Trainer.Training.AdamW(adapters.NamedParameters(), weightDecay: 0);
        var x = Tokens();
        // B starts at zero: the adapted model is exactly the base model before training.
        using (no_grad()) Assert.True(model.forward(x).allclose(ForwardWithout(model, adapters, x)));
        model.forward(x).pow(2).mean().backward();
        optimizer.Step(1e-2);
        foreach (var (name, tensor) in model.state_dict()) Assert.True(tensor.allclose(baseBefore[name], rtol: 0, atol: 0), $"base tensor {name} changed");
        Assert.False(adapters.Adapters.Values.First().lora_B.allclose(bBefore, rtol: 0, atol: 0));
    }

    [Fact]
    public void Merged_model_logits_equal_base_plus_adapter_logits_and_saved_adapters_reload()
    {
        torch.manual_seed(2);
        using var model = new Transformer(RlhfFixtures.Config());
        var directory = RlhfFixtures.TempDirectory();
        ModelWeights.Save(model, model.Config, directory, ChatTokenizer.Load("bytes"));
        using var adapters = LoraAdapters.Attach(model, new LoraConfig { Rank = 4, Alpha = 8, Targets = ["wq", "wv", "wo", "w2"] });
        using (no_grad())
            foreach (var adapter in adapters.Adapters.Values) adapter.lora_B.normal_(0, 0.05); // as if trained
        model.eval();
        adapters.Train(false);
        var x = Tokens();
        Tensor adapted;
        using (no_grad()) adapted = model.forward(x);
        var adapterDir = Path.Combine(directory, "adapters");
        adapters.Save(adapterDir);
        Assert.True(File.Exists(Path.Combine(adapterDir, LoraAdapters.WeightsFile)));

        // Reload base + adapters in a fresh model: same logits.
        using var reloaded = ModelWeights.LoadTransformer(directory);
        using var reloadedAdapters = LoraAdapters.Load(reloaded, adapterDir);
        reloaded.eval();
        reloadedAdapters.Train(false);
        using (no_grad()) Assert.True(reloaded.forward(x).allclose(adapted, rtol: 1e-5, atol: 1e-6));

        adapters.MergeIntoBase();
        using (no_grad())
        {
            var merged = model.forward(x);
            Assert.True(merged.allclose(adapted, rtol: 1e-4, atol: 1e-5), $"max diff {(merged - adapted).abs().max().item<float>()}");
            Assert.False(merged.allclose(reloaded.forward(x) * 0 + ForwardWithout(reloaded, reloadedAdapters, x), rtol: 1e-4, atol: 1e-5));
        }
    }

    private static Tensor ForwardWithout(Transformer model, LoraAdapters adapters, Tensor x)
    {
        // The base model alone: scale the adapters' B to zero for one forward, then restore.
        using var noGrad = no_grad();
        var saved = adapters.Adapters.Values.Select(a => a.lora_B.clone()).ToList();
        foreach (var a in adapters.Adapters.Values) a.lora_B.zero_();
        var logits = model.forward(x);
        foreach (var (a, b) in adapters.Adapters.Values.Zip(saved)) a.lora_B.copy_(b);
        return logits;
    }
}
