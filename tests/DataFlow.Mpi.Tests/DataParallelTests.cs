using System.Text.Json;

namespace DataFlow.Mpi.Tests;

/// <summary>Open MPI through P/Invoke across real processes: collectives, and data-parallel training equal to one process.</summary>
public sealed class DataParallelTests
{
    [MpiFact]
    public void BroadcastAndAllReduceAgreeAcrossTwoRanks()
    {
        var ranks = MpiRun.Ranks(2, "collectives");
        foreach (var rank in ranks)
        {
            Assert.Equal(2, rank.GetProperty("size").GetInt32());
            var bcast = rank.GetProperty("bcast").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => i * 0.5f), bcast);
            var sum = rank.GetProperty("allreduce").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            Assert.Equal(Enumerable.Range(0, 3000).Select(i => 3f * (i + 1)), sum); // (1 + 2) * (i + 1)
            Assert.Equal(5.0, rank.GetProperty("average").GetDouble()); // mean of 0 and 10
        }
        Assert.Equal([0, 1], ranks.Select(r => r.GetProperty("rank").GetInt32()).Order());
    }

    [MpiFact]
    public void TwoRanksWithHalfBatchesTrainLikeOneRankWithTheWholeBatch()
    {
        // Global batch 8 over 20 steps; ranks seed their models differently, so equality needs the broadcast.
        var single = MpiRun.Ranks(1, "train", "--batch", "8", "--steps", "20")[0];
        var pair = MpiRun.Ranks(2, "train", "--batch", "8", "--steps", "20");

        var expected = Losses(single);
        Assert.Equal(20, expected.Length);
        Assert.True(expected[^1] < expected[0] - 0.3, $"the tiny model should learn: {expected[0]} -> {expected[^1]}");
        foreach (var rank in pair)
        {
            var actual = Losses(rank);
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]), $"step {i + 1}: 2 ranks {actual[i]} vs 1 rank {expected[i]}");
            Assert.True(rank.GetProperty("allreduce_calls").GetInt64() >= 20);
        }
        Assert.Equal(pair[0].GetProperty("weights_sha256").GetString(), pair[1].GetProperty("weights_sha256").GetString());
        var head1 = single.GetProperty("weights_head").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var head2 = pair[0].GetProperty("weights_head").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        for (var i = 0; i < head1.Length; i++) Assert.True(Math.Abs(head1[i] - head2[i]) <= 1e-5, $"weight {i}: {head1[i]} vs {head2[i]}");
    }

    [MpiFact]
    public void Bf16ComputeAveragesTheFloat32GradientsOnEveryRank()
    {
        // bf16 forward/backward, float32 master weights: the all-reduce must act on the float32 copies of the gradients.
        var single = MpiRun.Ranks(1, "train", "--batch", "8", "--steps", "10", "--bf16")[0];
        var pair = MpiRun.Ranks(2, "train", "--batch", "8", "--steps", "10", "--bf16");
        Assert.Equal(pair[0].GetProperty("weights_sha256").GetString(), pair[1].GetProperty("weights_sha256").GetString());
        Assert.True(pair[0].GetProperty("allreduce_calls").GetInt64() >= 10);
        var expected = Losses(single);
        var actual = Losses(pair[0]);
        // bf16 rounds half-batches differently from the whole batch, so agreement is to bf16 precision, not 1e-5.
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 2e-2 * Math.Abs(expected[i]), $"step {i + 1}: 2 ranks {actual[i]} vs 1 rank {expected[i]}");
    }

    private static double[] Losses(JsonElement rank) => rank.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
}
