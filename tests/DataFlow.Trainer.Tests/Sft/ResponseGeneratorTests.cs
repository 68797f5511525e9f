using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;
using TorchSharp;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Sft;

public class ResponseGeneratorTests
{
    [Fact]
    public void Left_padded_batch_with_kv_cache_generates_what_each_prompt_generates_alone_without_it()
    {
        torch.manual_seed(3);
        using var model = new Transformer(RlhfFixtures.Config());
        model.eval();
        var tokenizer = ChatTokenizer.Load("bytes");
        var prompts = new[] { "What is 1 + 2?", "Reverse the word: hello" }
            .Select(p => TokenizedConversation.Encode(ChatTemplate.Default.RenderPrompt(Conversation.SingleTurn(p)), tokenizer).Ids).ToList();
        var noStops = new HashSet<int>();
        var batched = ResponseGenerator.Generate(model, prompts, new SamplingOptions { MaxNewTokens = 8 }, noStops, tokenizer.PadId);
        for (var i = 0; i < prompts.Count; i++)
        {
            var alone = ResponseGenerator.Generate(model, [prompts[i]], new SamplingOptions { MaxNewTokens = 8, UseKvCache = false }, noStops, tokenizer.PadId);
            Assert.Equal(alone[0], batched[i]);
        }
        Assert.All(batched, r => Assert.Equal(8, r.Count));
    }
}
