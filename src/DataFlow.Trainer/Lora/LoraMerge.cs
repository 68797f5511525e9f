using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Lora;

/// <summary><c>dataflow lora merge</c>: base model folder + adapter folder -> a plain model folder with W + scale * B A.</summary>
public static class LoraMerge
{
    public static void Run(string baseDirectory, string adapterDirectory, string outputDirectory)
    {
        using var model = ModelWeights.LoadTransformer(baseDirectory);
        using var adapters = LoraAdapters.Load(model, adapterDirectory);
        adapters.MergeIntoBase();
        foreach (var parameter in model.parameters()) parameter.requires_grad = true;
        var tokenizer = ModelTokenizer.Load(ModelTokenizer.Exists(adapterDirectory) ? adapterDirectory : baseDirectory);
        ModelWeights.Save(model, model.Config, outputDirectory, tokenizer);
    }
}
