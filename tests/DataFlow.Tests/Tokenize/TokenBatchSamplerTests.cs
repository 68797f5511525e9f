using DataFlow.Engine.Tokens;

namespace DataFlow.Tests.Tokenize;

public sealed class TokenBatchSamplerTests
{
    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    [InlineData(1000L)]
    [InlineData(4097L)]
    public void PermutationIsABijection(long count)
    {
        var permutation = new ShuffledIndexPermutation(count, key: 42);
        var seen = new bool[count];
        for (long i = 0; i < count; i++)
        {
            var x = permutation[i];
            Assert.InRange(x, 0, count - 1);
            Assert.False(seen[x]);
            seen[x] = true;
        }
    }

    [Fact]
    public void PermutationActuallyShuffles()
    {
        var permutation = new ShuffledIndexPermutation(10_000, key: 7);
        var fixedPoints = 0;
        for (long i = 0; i < 10_000; i++) if (permutation[i] == i) fixedPoints++;
        Assert.True(fixedPoints < 20, $"{fixedPoints} fixed points");
    }

    [Fact]
    public void RanksSplitEachEpochIntoDisjointBatchesThatChangeWithTheEpoch()
    {
        const long rows = 103;
        var samplers = Enumerable.Range(0, 3).Select(r => new TokenBatchSampler(rows, batchSize: 4, seed: 5, rank: r, worldSize: 3)).ToArray();
        Assert.Equal(8, samplers[0].StepsPerEpoch);

        var epochs = new List<long[]>();
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var seen = new List<long>();
            for (var step = 0; step < 8; step++)
                foreach (var sampler in samplers) seen.AddRange(sampler.NextBatch());
            Assert.Equal(96, seen.Distinct().Count());
            epochs.Add(seen.ToArray());
        }
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.Equal(new TokenSamplerPosition(1, 8), samplers[2].Position);
    }

    [Fact]
    public void RestoringAPositionResumesTheSameSequence()
    {
        var first = new TokenBatchSampler(1000, batchSize: 8, seed: 123, rank: 1, worldSize: 2);
        for (var i = 0; i < 70; i++) first.NextBatch(); // crosses into epoch 1 (62 steps per epoch)
        var saved = first.Position;
        var expected = Enumerable.Range(0, 10).Select(_ => first.NextBatch()).ToArray();

        var resumed = new TokenBatchSampler(1000, batchSize: 8, seed: 123, rank: 1, worldSize: 2) { Position = saved };
        var actual = Enumerable.Range(0, 10).Select(_ => resumed.NextBatch()).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(1, saved.Epoch);
    }

    [Fact]
    public void SeedsGiveDifferentOrders()
    {
        var a = new TokenBatchSampler(1000, 16, seed: 1).NextBatch();
        var b = new TokenBatchSampler(1000, 16, seed: 2).NextBatch();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void BlockOrderVisitsWholeWindowsOnceAndStaysInsideAWindow()
    {
        const long rows = 1000;
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var order = new BlockShuffledOrder(rows, blockRows: 32, windowBlocks: 4, key: (ulong)epoch + 11);
            Assert.Equal(31 / 4 * 4 * 32, order.Count); // 31 whole blocks -> 7 windows of 4 blocks
            var visited = Enumerable.Range(0, (int)order.Count).Select(p => order[p]).ToList();
            Assert.Equal(visited.Count, visited.Distinct().Count());
            Assert.All(visited, r => Assert.InRange(r, 0, rows - 1));
            // The 128 positions of a window come from at most 4 blocks (5 when the epoch offset splits one across the end).
            for (var w = 0; w < 7; w++)
            {
                var blocks = visited.Skip(w * 128).Take(128).Select(r => r / 32).Distinct().Count();
                Assert.InRange(blocks, 4, 10);
            }
        }
    }

    [Fact]
    public void BlockSamplerResumesAndChangesOrderEachEpoch()
    {
        TokenBatchSampler Make() => new(5000, batchSize: 8, seed: 3, rank: 0, worldSize: 2, blockRows: 64, windowBlocks: 4);
        var sampler = Make();
        Assert.Equal(78 / 4 * 4 * 64 / 16, sampler.StepsPerEpoch);
        var epoch0 = Enumerable.Range(0, (int)sampler.StepsPerEpoch).SelectMany(_ => sampler.NextBatch()).ToList();
        Assert.Equal(epoch0.Count, epoch0.Distinct().Count());
        var saved = sampler.Position;
        var next = Enumerable.Range(0, 5).Select(_ => sampler.NextBatch()).ToArray();
        var resumed = Make();
        resumed.Position = saved;
        Assert.Equal(next, Enumerable.Range(0, 5).Select(_ => resumed.NextBatch()).ToArray());
        Assert.NotEqual(epoch0.Take(40), next.SelectMany(b => b).Take(40));
    }
}
