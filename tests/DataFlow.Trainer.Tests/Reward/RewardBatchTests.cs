using DataFlow.Text.Chat;
using DataFlow.Trainer.Reward;
using DataFlow.Trainer.Training;

namespace DataFlow.Trainer.Tests.Reward;

public sealed class RewardBatchTests
{
    private static RewardTrainer Trainer(int batchSize, int seed) =>
        new(new RewardConfig { Train = ["unused.jsonl"], Output = "unused", BatchSize = batchSize, Seed = seed }, ChatTokenizer.Load("bytes"), _ => { });

    [Fact]
    public void Batches_follow_the_seeded_epoch_permutation_across_epochs()
    {
        const int n = 10, batch = 4, seed = 7;
        var pairs = Enumerable.Range(0, n).Select(i => (new[] { i }, new[] { 100 + i })).ToList();
        var trainer = Trainer(batch, seed);
        // Reference, from the documented definition: epoch e visits Range(0, n) shuffled by Random(DeterministicSeed.Of(seed, e)).
        var expected = Enumerable.Range(0, 4).SelectMany(epoch =>
        {
            var order = Enumerable.Range(0, n).ToArray();
            new Random(DeterministicSeed.Of(seed, epoch)).Shuffle(order);
            return order;
        }).ToList();
        for (var step = 0; step < 8; step++) // 32 positions: epochs 0 to 3, batches that straddle an epoch's end
            Assert.Equal(expected.Skip(step * batch).Take(batch), trainer.BatchAt(pairs, step).Select(p => p.Chosen[0]));
    }

    [Fact]
    public void A_step_allocates_one_batch_not_the_dataset()
    {
        const int n = 1_000_000, batch = 8;
        var (chosen, rejected) = (Enumerable.Range(0, 64).ToArray(), Enumerable.Range(0, 48).ToArray());
        var pairs = Enumerable.Repeat((chosen, rejected), n).ToList(); // a million pairs sharing their token rows
        var trainer = Trainer(batch, 1);
        var first = GC.GetAllocatedBytesForCurrentThread();
        trainer.BatchAt(pairs, 0);
        var epoch = GC.GetAllocatedBytesForCurrentThread() - first;
        // The epoch's permutation (one int per pair) is the only dataset-sized thing, made once per epoch.
        Assert.True(epoch < 4L * n + (1 << 20), $"first batch allocated {epoch:N0} bytes");

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var step = 1; step <= 100; step++) Assert.Equal(batch, trainer.BatchAt(pairs, step).Count);
        var perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
        // One batch: a list of 8 pairs, a few hundred bytes; a dataset-sized allocation would be >= 4 MB per step.
        Assert.True(perStep < 4096, $"a step allocated {perStep:N0} bytes");

        // The batch's tensors are as wide as its longest side, not max_tokens or the dataset.
        var (tokens, lengths) = RewardTrainer.RightPad(trainer.BatchAt(pairs, 101).SelectMany(p => new[] { p.Chosen, p.Rejected }).ToList(), 0);
        Assert.Equal(new long[] { 2 * batch, 64 }, tokens.shape);
        Assert.Equal(new long[] { 2 * batch }, lengths.shape);
    }
}
