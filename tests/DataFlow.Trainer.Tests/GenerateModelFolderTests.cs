using DataFlow.Jobs.Training.Pretrain;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Generation;
using DataFlow.Trainer.Model;
using DataFlow.Trainer.Sft;

namespace DataFlow.Trainer.Tests;

/// <summary>`dataflow generate --checkpoint MODEL_DIR -t 0`: a model folder with its own tokenizer, decoded greedily.</summary>
public sealed class GenerateModelFolderTests
{
    [Fact]
    public void Temperature_0_on_a_model_folder_is_greedy_decoding_with_its_tokenizer()
    {
        var folder = Path.Combine(TinyModels.TempDir("generate-folder"), "model");
        var tokenizer = ChatTokenizer.Load("bytes");
        using var model = TinyModels.Build(TinyModels.Config() with { VocabSize = tokenizer.VocabSize, ContextLength = 64 }, seed: 4);
        ModelWeights.Save(model, model.Config, folder, tokenizer);

        var options = new GenerationOptions { Temperature = 0, MaxNewTokens = 20, SlideContext = true, TopK = 3, TopP = 0.5 };
        var text = GenerateRun.Execute(folder, ["hello"], options)[0];

        var prompt = new List<int>();
        tokenizer.Encode("hello", prompt);
        var greedy = new TextGenerator(model).Generate([prompt.ToArray()], new GenerationOptions { Temperature = 0, MaxNewTokens = 20, StopTokens = [tokenizer.EndOfTextId] })[0];
        Assert.Equal(tokenizer.Decode(greedy.Tokens), text); // top-k / top-p do not touch greedy's argmax
    }

    [Fact]
    public void A_base_model_without_the_chat_rows_generates_plain_text()
    {
        // A GPT-2-vocabulary model before SFT grew it: 50,257 rows, while its tokenizer lists 5 chat tokens after them.
        var folder = Path.Combine(TinyModels.TempDir("generate-base"), "model");
        var tokenizer = ChatTokenizer.Load("gpt2");
        using var model = TinyModels.Build(TinyModels.Config() with { VocabSize = tokenizer.BaseVocabSize, Dim = 16, ContextLength = 32 }, seed: 5);
        ModelWeights.Save(model, model.Config, folder, tokenizer: null);
        ModelTokenizer.Save(folder, tokenizer);
        var text = GenerateRun.Execute(folder, ["Call me Ishmael."], new GenerationOptions { Temperature = 0, MaxNewTokens = 8 })[0];
        Assert.False(string.IsNullOrEmpty(text));
    }
}
