using DataFlow.Trainer.Checkpoints;
using DataFlow.Trainer.Sft;

namespace DataFlow.Jobs.Training.Pipeline;

/// <summary>
/// The hand-off between training stages: a folder with <c>model_config.json</c> + <c>model.safetensors</c>
/// (<see cref="ModelWeights"/>) + the tokenizer (<see cref="Trainer.Model.ModelTokenizer"/>). Every training stage of a pipeline leaves one in OUT/final.
/// </summary>
public static class ModelFolder
{
    public const string FinalDir = SftTrainer.FinalDir;

    /// <summary>The final model of a training stage whose planned output is <paramref name="summaryFile"/>.</summary>
    public static string OfStage(string summaryFile) => Path.Combine(Path.GetDirectoryName(summaryFile)!, FinalDir);

    /// <summary>Publishes a pretraining checkpoint as a model folder (config from its state.json, the same weights file).</summary>
    public static void ExportCheckpoint(string checkpoint, string destination)
    {
        var state = TrainingCheckpoint.ReadState(checkpoint);
        var temp = destination + ".tmp";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        File.WriteAllText(Path.Combine(temp, ModelWeights.ConfigFile),
            System.Text.Json.JsonSerializer.Serialize(state.Model, DataFlow.Trainer.TrainerJson.Options));
        File.Copy(Path.Combine(checkpoint, TrainingCheckpoint.ModelFile), Path.Combine(temp, ModelWeights.WeightsFile));
        var info = state.Tokenizer ?? throw new InvalidDataException($"{checkpoint}: the checkpoint does not record its tokenizer");
        var tokenizer = Text.Chat.ChatTokenizer.Load(info.Name);
        Trainer.Model.ModelTokenizer.Check(state.Model, $"checkpoint {checkpoint}", tokenizer, $"tokenizer '{info.Name}'", allowGrowth: true);
        Trainer.Model.ModelTokenizer.Save(temp, tokenizer);
        if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
        Directory.Move(temp, destination);
    }
}
