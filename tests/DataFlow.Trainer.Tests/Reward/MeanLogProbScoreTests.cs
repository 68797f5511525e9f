using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Tests.Sft;
using TorchSharp;
using static TorchSharp.torch;

namespace DataFlow.Trainer.Tests.Reward;

public class MeanLogProbScoreTests
{
    [Fact]
    public void Mean_log_prob_score_averages_the_response_tokens_only_and_ignores_padding()
    {
        torch.manual_seed(7);
        var tokenizer = ChatTokenizer.Load("bytes");
        var template = ChatTemplate.Default;
        using var model = new RewardModel(RlhfFixtures.Config()) { Head = RewardHead.For(RewardScore.MeanLogProb, 2.0, tokenizer, template) };
        model.eval();
        using var noGrad = no_grad();
        int[] Render(string prompt, string answer) =>
            TokenizedConversation.Encode(template.Render(Conversation.SingleTurn(prompt, answer)), tokenizer).Ids;
        var longer = Render("What is 14 - 12?", "2");
        var shorter = Render("Reverse the word: ab", "ba");
        var (tokens, lengths) = RewardTrainer.RightPad([longer, shorter], tokenizer.PadId);
        var scores = model.Score(tokens, lengths);

        // By hand: the response is the answer bytes and <|end|>, i.e. the tokens after "<|assistant|>\n" up to the
        // last <|end|>; token t is predicted by the logits at t - 1.
        double Expected(int[] ids)
        {
            var logits = model.transformer.forward(tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]));
            var logProbs = nn.functional.log_softmax(logits, -1);
            var start = Array.LastIndexOf(ids, tokenizer.SpecialTokenId(template.AssistantToken)) + 2;
            var end = Array.LastIndexOf(ids, tokenizer.SpecialTokenId(template.EndToken));
            double sum = 0;
            for (var t = start; t <= end; t++) sum += logProbs[0, t - 1, ids[t]].item<float>();
            return 2.0 * sum / (end - start + 1);
        }
        Assert.Equal(Expected(longer), scores[0].item<float>(), 4);
        Assert.Equal(Expected(shorter), scores[1].item<float>(), 4);
        Assert.Equal(2.0 * model.MeanResponseLogProb(tensor(shorter.Select(i => (long)i).ToArray(), [1, shorter.Length])).item<float>(), scores[1].item<float>(), 4);
    }

    [Fact]
    public void A_reward_model_folder_keeps_its_scoring_rule()
    {
        var directory = RlhfFixtures.TempDirectory();
        var head = RewardHead.For(RewardScore.MeanLogProb, 2.0, ChatTokenizer.Load("bytes"), ChatTemplate.Default);
        using (var model = new RewardModel(RlhfFixtures.Config()) { Head = head }) model.Save(directory, ChatTokenizer.Load("bytes"));
        using var loaded = RewardModel.Load(directory);
        Assert.Equal(head, loaded.Head);
        File.Delete(Path.Combine(directory, RewardHead.FileName));
        using var old = RewardModel.Load(directory);
        Assert.Equal(RewardScore.ValueHead, old.Head.Score);
    }
}
