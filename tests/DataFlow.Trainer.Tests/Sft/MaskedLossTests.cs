using DataFlow.Text.Chat;
using DataFlow.Trainer.Sft;
using TorchSharp;
using static TorchSharp.torch;
using Transformer = DataFlow.Trainer.Model.Transformer;

namespace DataFlow.Trainer.Tests.Sft;

public class MaskedLossTests(Xunit.Abstractions.ITestOutputHelper output)
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

    // Batch 2, seq 3, vocab 4: fixed, unequal logits so every position has a different log-sum-exp.
    private static readonly float[] FixedLogits =
    [
        0.5f, -1.0f, 2.0f, 0.1f,   1.5f, 0.3f, -0.7f, 0.0f,   -2.0f, 1.0f, 0.25f, 3.0f,
        0.0f, 0.0f, 1.0f, -1.0f,   2.5f, -0.5f, 0.5f, 1.25f,  0.75f, -1.5f, 1.75f, -0.25f,
    ];

    private const long X = SftBatch.IgnoreIndex;

    /// <summary>Per-position cross-entropy log(sum exp z) - z[target] in doubles, over the targets that are not ignored.</summary>
    private static double[] HandLosses(long[] targets)
    {
        const int vocab = 4;
        var losses = new List<double>();
        for (var p = 0; p < targets.Length; p++)
        {
            if (targets[p] == SftBatch.IgnoreIndex) continue;
            var z = FixedLogits.Skip(p * vocab).Take(vocab).Select(v => (double)v).ToArray();
            var max = z.Max(); // shift by the max so exp cannot overflow, as a real log-sum-exp does
            var logSumExp = max + Math.Log(z.Sum(v => Math.Exp(v - max)));
            losses.Add(logSumExp - z[targets[p]]);
        }
        return losses.ToArray();
    }

    private static (double Mean, double Sum) Losses(long[] targets)
    {
        using var logits = tensor(FixedLogits, [2, 3, 4]);
        using var t = tensor(targets, [2, 3]);
        using var mean = SftBatch.MaskedLoss(logits, t);
        using var sum = SftBatch.MaskedLossSum(logits, t);
        return (mean.item<float>(), sum.item<float>());
    }

    [Fact]
    public void Masked_loss_is_the_mean_cross_entropy_over_unmasked_positions()
    {
        long[] targets = [1, X, 3, 0, 2, X];
        var expected = HandLosses(targets);
        Assert.Equal(4, expected.Length);
        var (mean, sum) = Losses(targets);
        Assert.Equal(expected.Average(), mean, 1e-5);
        Assert.Equal(expected.Sum(), sum, 1e-5);
    }

    [Fact]
    public void A_fully_masked_row_does_not_count_toward_the_mean()
    {
        long[] targets = [2, 0, 3, X, X, X];
        var expected = HandLosses(targets);
        Assert.Equal(3, expected.Length);
        var (mean, sum) = Losses(targets);
        // The mean is over row 0's three positions, not over all six.
        Assert.Equal(expected.Average(), mean, 1e-5);
        Assert.Equal(expected.Sum(), sum, 1e-5);
    }

    [Fact]
    public void Every_target_masked_gives_loss_zero_and_no_gradient()
    {
        // The contract (SftBatch.MaskedLoss): sum / max(1, targets), so zero targets give 0, not libtorch's 0 / 0 = NaN.
        var (mean, sum) = Losses([X, X, X, X, X, X]);
        Assert.Equal(0.0, mean);
        Assert.Equal(0.0, sum);
        using var logits = tensor(FixedLogits, [2, 3, 4]).requires_grad_();
        using var targets = tensor(new[] { X, X, X, X, X, X }, [2, 3]);
        SftBatch.MaskedLoss(logits, targets).backward();
        Assert.Equal(0f, logits.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void A_conversation_without_a_target_token_is_rejected_with_its_reason_before_any_batch()
    {
        // A row whose only trainable token is the first has no target after the shift (Collate gives all -100).
        var tokens = Encode("ab", "c");
        var onlyFirst = tokens with { LossMask = tokens.LossMask.Select((_, i) => i == 0).ToArray() };
        Assert.Equal(1, onlyFirst.TrainableTokens);
        Assert.Equal(0, SftBatch.TargetCount(onlyFirst));
        Assert.Equal(2, SftBatch.TargetCount(tokens)); // "c" and <|end|>
        var (_, targets) = SftBatch.Collate([onlyFirst], Tokenizer.PadId);
        Assert.All(targets.data<long>().ToArray(), t => Assert.Equal(X, t));

        // Through the loader: a conversation with no assistant turn has nothing under the loss target and lands in the rejects
        // (the parser names it first; SftDataset.NoTargetReason catches any other row that Collate would leave without a target).
        var path = Path.Combine(RlhfFixtures.TempDirectory(), "no-target.jsonl");
        File.WriteAllLines(path, [
            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"ok\"}]}",
            "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hi\"}]}",
        ]);
        var rejects = new ListRejects();
        var data = SftDataset.Load([path], ChatFormat.Auto, ChatTemplate.Default, Tokenizer, 512, rejects);
        Assert.Single(data.Examples);
        var reject = Assert.Single(rejects.Rejects);
        Assert.Equal(2, reject.Line);
        Assert.Equal(path, reject.File);
        Assert.Contains("no assistant turn", reject.Reason);
        output.WriteLine(reject.Reason);
    }

    private sealed class ListRejects : DataFlow.Engine.Documents.IRejectSink
    {
        public List<DataFlow.Engine.Documents.Reject> Rejects { get; } = [];
        public void Reject(DataFlow.Engine.Documents.Reject reject) => Rejects.Add(reject);
    }
}
