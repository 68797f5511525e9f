using DataFlow.Text.Chat;
using DataFlow.Trainer.Model;

namespace DataFlow.Jobs.Training;

/// <summary>Where a training job's tokenizer comes from: the model it starts from, or the configured one for a fresh model.</summary>
public static class ModelTokenizers
{
    public static ChatTokenizer Of(string? initFolder, string freshTokenizer) =>
        initFolder is not null ? ModelTokenizer.Load(initFolder) : ChatTokenizer.Load(freshTokenizer);
}
