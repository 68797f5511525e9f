using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Sft;

public class MaskedLossTests
{
    private static readonly ByteChatTokenizer Tokenizer = new();

    private static TokenizedConversation Encode(string prompt, string answer) =>
        TokenizedConversation.Encode(ChatTemplate.Default.Render(Conversation.SingleTurn(prompt, answer)), Tokenizer);

    [Fact]
    public void Collate_shifts_targets_and_ignores_prompt_and_padding()
    {
        var a = Encode("ab", "c");
        var b = Encode("abcd", "ef");
        var (inputs, targets) = SftBatch.Collate([a, b], Tokenizer.PadId);
        Assert.Equal(new long[] { 2, b.Length - 1 }, inputs.shape);
        var t = targets.data<long>().ToArray();
        var row0 = t.Take(b.Length - 1).ToArray();
        // Row 0 trains on exactly "c<|end|>": the tokens after "<|assistant|>\n".
        var trained = row0.Where(x => x != SftBatch.IgnoreIndex).Select(x => (int)x).ToArray();
        Assert.Equal("c<|end|>", Tokenizer.Decode(trained));
        Assert.All(row0.Skip(a.Length - 1), x => Assert.Equal(SftBatch.IgnoreIndex, x)); // padding
        Assert.Equal(Tokenizer.PadId, inputs[0, b.Length - 2].item<long>());
    }

    [Fact]
    public void Masked_positions_carry_no_gradient()
    {
        torch.manual_seed(7);
        using var model = new Transformer(RlhfFixtures.Config());
        var (inputs, targets) = SftBatch.Collate([Encode("What is 2 + 3?", "5"), Encode("Reverse the word: abc", "cba")], Tokenizer.PadId);
        var logits = model.forward(inputs);
        logits.retain_grad();
        SftBatch.MaskedLoss(logits, targets).backward();
        var gradNorms = logits.grad!.abs().sum(-1); // [B, T]
        var ignored = targets.eq(SftBatch.IgnoreIndex);
        Assert.Equal(0f, gradNorms.masked_select(ignored).sum().item<float>());
        Assert.True(gradNorms.masked_select(ignored.logical_not()).min().item<float>() > 0f);

        // And the loss does not depend on what the masked positions would have predicted.
        var changed = inputs.clone();
        using var noGrad = no_grad();
        var before = SftBatch.MaskedLoss(model.forward(inputs), targets).item<float>();
        var sameWithOtherIgnoredTargets = targets.clone().masked_fill(ignored, SftBatch.IgnoreIndex);
        Assert.Equal(before, SftBatch.MaskedLoss(model.forward(changed), sameWithOtherIgnoredTargets).item<float>());
    }
}
