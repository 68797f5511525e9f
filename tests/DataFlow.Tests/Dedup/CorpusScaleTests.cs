using DataFlow.Jobs.Dedup;

namespace DataFlow.Tests.Dedup;

/// <summary>
/// Counts and offsets past 2^31, proved on the arithmetic itself (no test can hold 2^31 documents): every expected
/// value below is computed by hand from the record layouts and the defaults.
/// </summary>
public sealed class CorpusScaleTests
{
    [Fact]
    public void Signature_offsets_past_two_to_the_31_are_addressed_without_allocating_the_store()
    {
        // 20 million documents in candidate pairs x 112 values: 2.24e9 values, past one .NET array.
        var store = new SignatureStore(20_000_000, 112);
        const long node = 19_999_999;
        // 9362 signatures fit in a 2^20-value chunk: node 19,999,999 is signature 2,767 of chunk 2,136.
        Assert.Equal(2136L * 1048576 + 2767L * 112, store.Offset(node));
        Assert.True(store.Offset(node) > int.MaxValue);
        var values = Enumerable.Range(1, 112).Select(i => (uint)i * 7919).ToArray();
        values.CopyTo(store[node]);
        store[5].Fill(1);
        Assert.Equal(values, store[node].ToArray());
        Assert.Equal(2, store.AllocatedChunks);
    }

    [Fact]
    public void Chunked_list_indexes_past_two_to_the_32()
    {
        var list = new ChunkedList<long>(5_000_000_000);
        list[4_999_999_999] = 42;
        list[(1L << 32) + 3] = 7;
        Assert.Equal(42, list[4_999_999_999]);
        Assert.Equal(7, list[4_294_967_299]);
        Assert.Equal(0, list[0]);
        Assert.Equal(3, list.AllocatedChunks);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[5_000_000_000]);
    }

    [Theory]
    [InlineData(2L, 2L, "0002")]
    [InlineData(3L, 4L, "0003-0004")]
    [InlineData(9L, 16L, "0009-0016")]
    [InlineData(2_147_483_649L, 4_294_967_296L, "2147483649-4294967296")] // 2^31 + 1
    [InlineData(5_000_000_000L, 8_589_934_592L, "4294967297-8589934592")]
    public void Cluster_size_classes_are_64_bit(long size, long bucket, string label)
    {
        Assert.Equal(bucket, DuplicateClusterJob.SizeBucket(size));
        Assert.Equal(label, DuplicateClusterJob.SizeLabel(bucket));
    }

    [Fact]
    public void Doc_refs_carry_ordinals_past_two_to_the_32_and_refuse_past_two_to_the_40()
    {
        var doc = DocRef.Make(4095, 5_000_000_000);
        Assert.Equal(4095, DocRef.Task(doc));
        Assert.Equal(5_000_000_000, DocRef.Ordinal(doc));
        Assert.Equal((4095UL << 40) + 5_000_000_000UL, doc);
        Assert.Throws<InvalidDataException>(() => DocRef.Make(0, 1L << 40));
    }

    [Fact]
    public void Graph_clusters_and_exact_groups_use_64_bit_nodes()
    {
        var graph = new DuplicateGraph();
        var far = DocRef.Make(7, 4_000_000_000);
        graph.UnionExact(far, DocRef.Make(0, 1));
        graph.UnionNear(DocRef.Make(0, 1), DocRef.Make(3, 2_500_000_000));
        Assert.Equal(3L, graph.Count);
        Assert.True(graph.TryGetNode(far, out var node));
        var root = graph.ClusterOf(node);
        Assert.Equal(3L, graph.ClusterSize(root));
        Assert.Equal(graph.ExactGroupOf(0), graph.ExactGroupOf(1));
        Assert.NotEqual(graph.ExactGroupOf(0), graph.ExactGroupOf(2));
    }

    [Fact]
    public void Plan_for_100_million_documents_sizes_every_stage()
    {
        // Defaults: 14 bands x 8 rows, exact as written, verify at 0.6 (full signatures kept), 4,000,000 buffered records.
        var capacity = new DedupCapacity(new DedupOptions(), 100_000_000, 4000, 64, 0.2);
        var stages = capacity.Stages().ToDictionary(s => s.Stage);

        // Signatures: 64 tasks x (14 band + 1 exact partitions + docs + sigs files); per document 14 x 16 B band records,
        // 24 B exact record, 32 B info record, (112 + 2) x 4 B signature = 736 B; buffer 4M x 16 + 285,714 x 24, one 4 KB doc.
        Assert.Equal(64, stages["signatures"].Tasks);
        Assert.Equal(64 * 17, stages["signatures"].Files);
        Assert.Equal(73_600_000_000L, stages["signatures"].DiskBytes);
        Assert.Equal(64_000_000L + 6_857_136L + 72_000L, stages["signatures"].MemoryPerTask);

        // Buckets: 15 partitions; each merges 64 tasks x ceil(1,562,500 x 14 / 4M) = 6 runs of 4096 x 24 B buffers;
        // 20M documents in pairs x 15 star pairs x 16 B.
        Assert.Equal(15, stages["buckets"].Tasks);
        Assert.Equal(64L * 6 * 4096 * 24, stages["buckets"].MemoryPerTask);
        Assert.Equal(4_800_000_000L, stages["buckets"].DiskBytes);

        // Clusters: one task, 20M documents x (97 B graph + 448 B signature + 1 B flag) = 10.92 GB; 40 B removal records.
        Assert.Equal(1, stages["clusters"].Tasks);
        Assert.Equal(10_920_000_000L, stages["clusters"].MemoryPerTask);
        Assert.Equal(800_000_000L, stages["clusters"].DiskBytes);

        Assert.Equal(64, stages["filter"].Tasks);
        Assert.Equal(400_000_000_000L, stages["filter"].DiskBytes);
    }
}
