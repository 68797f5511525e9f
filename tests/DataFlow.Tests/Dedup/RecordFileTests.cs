using DataFlow.Engine.Records;

namespace DataFlow.Tests.Dedup;

public sealed class RecordFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dataflow-records-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteRuns(string name, params long[][] runs)
    {
        var path = Path.Combine(_dir, name);
        using var writer = new RecordFileWriter<long>(path, "test-longs");
        foreach (var run in runs)
        {
            writer.Append(run);
            writer.EndRun();
        }
        writer.Complete();
        return path;
    }

    [Fact]
    public void Merge_of_sorted_runs_from_several_files_is_sorted_and_complete()
    {
        var a = WriteRuns("a.bin", [1, 4, 9], [2, 2, 10]);
        var b = WriteRuns("b.bin", [0, 3, 4, 11]);
        var files = new[] { a, b }.Select(p => RecordFileFormat.ReadInfo(p, sizeof(long), "test-longs")).ToList();
        Assert.Equal(2, files[0].Runs.Count);
        using var merge = new SortedRunMerger<long>(files, bufferRecords: 2);
        var merged = new List<long>();
        while (merge.TryNext(out var x)) merged.Add(x);
        Assert.Equal(new long[] { 0, 1, 2, 2, 3, 4, 4, 9, 10, 11 }, merged);
    }

    [Fact]
    public void Partitioned_writer_spills_sorted_runs_within_its_budget()
    {
        var paths = new[] { Path.Combine(_dir, "p0.bin"), Path.Combine(_dir, "p1.bin") };
        using (var writer = new PartitionedRunWriter<long>(paths, "test-longs", maxBufferedRecords: 5))
        {
            foreach (var x in new long[] { 9, 3, 7, 1, 8, 2, 6, 4, 5, 0, 11, 10 }) writer.Add((int)(x % 2), x);
            writer.Complete();
            Assert.True(writer.Spills >= 2);
        }
        var info = RecordFileFormat.ReadInfo(paths[1], sizeof(long), "test-longs");
        Assert.True(info.Runs.Count >= 2);
        using var merge = new SortedRunMerger<long>([info]);
        var odd = new List<long>();
        while (merge.TryNext(out var x)) odd.Add(x);
        Assert.Equal(new long[] { 1, 3, 5, 7, 9, 11 }, odd);
    }

    [Fact]
    public void Truncated_file_is_rejected_at_open_naming_the_file()
    {
        var path = WriteRuns("t.bin", [1, 2, 3, 4]);
        using (var s = new FileStream(path, FileMode.Open)) s.SetLength(s.Length - 5);
        var e = Assert.Throws<InvalidDataException>(() => RecordFileFormat.ReadInfo(path, sizeof(long), "test-longs"));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void File_cut_at_a_record_boundary_is_rejected()
    {
        // Losing the footer entirely (a writer killed before Complete) must not look like an empty file.
        var path = Path.Combine(_dir, "killed.bin");
        using (var writer = new RecordFileWriter<long>(path, "test-longs")) writer.Append([1L, 2L]);
        var e = Assert.Throws<InvalidDataException>(() => RecordFileFormat.ReadInfo(path, sizeof(long), "test-longs"));
        Assert.Contains("killed.bin", e.Message);
    }

    [Fact]
    public void Flipped_byte_is_detected_when_the_run_is_read()
    {
        var path = WriteRuns("c.bin", Enumerable.Range(0, 1000).Select(i => (long)i).ToArray());
        var bytes = File.ReadAllBytes(path);
        bytes[RecordFileFormat.HeaderSize + 8 * 500 + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var info = RecordFileFormat.ReadInfo(path, sizeof(long), "test-longs");
        using var reader = new RecordRunReader<long>(info, 0, bufferRecords: 64);
        var e = Assert.Throws<InvalidDataException>(() => { while (reader.MoveNext()) { } });
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void Wrong_record_kind_or_size_is_rejected()
    {
        var path = WriteRuns("k.bin", [1]);
        Assert.Throws<InvalidDataException>(() => RecordFileFormat.ReadInfo(path, sizeof(long), "other-kind"));
        Assert.Throws<InvalidDataException>(() => RecordFileFormat.ReadInfo(path, sizeof(int), "test-longs"));
    }
}
