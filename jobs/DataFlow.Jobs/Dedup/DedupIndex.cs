using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A dedup index folder written by an earlier run (<c>write_index</c>), opened and checked for this run
/// (<c>against</c>). Part k holds what that run's signatures task k made of every document it read: per partition the
/// sorted band and exact records (<c>part-KKKKK-pPPPP.bin</c>, partitioned as the stage files are, so bucket task j
/// of a later run reads only partition j), the full signatures when it verified (<c>minhash-KKKKK.bin</c>), and a
/// manifest (<c>part-KKKKK.json</c>) with the format and fingerprint versions, the configuration, the part count and
/// each file's length, record count and checksum. <see cref="Open"/> refuses an index whose versions or
/// configuration differ from this run's, naming the key, and one with a missing, truncated or changed file, naming it.
/// </summary>
public sealed class DedupIndex
{
    private DedupIndex(string folder, IReadOnlyList<DedupIndexPart> parts)
    {
        Folder = folder;
        Parts = parts;
    }

    public string Folder { get; }
    public IReadOnlyList<DedupIndexPart> Parts { get; }
    public long Documents => Parts.Sum(p => p.Documents);

    /// <summary>The record files part <paramref name="part"/> of an index holds for <paramref name="options"/>: every partition, then the signatures when verifying.</summary>
    public static IReadOnlyList<string> FileNames(DedupOptions options, int part)
    {
        var names = Enumerable.Range(0, options.AllPartitions)
            .Select(p => Path.GetFileName(DedupLayout.PartitionFile("", part, p))).ToList();
        if (options.Verify) names.Add(Path.GetFileName(DedupLayout.SignatureFile("", part)));
        return names;
    }

    public string PartitionFile(int part, int partition) => DedupLayout.PartitionFile(Folder, part, partition);
    public string SignatureFile(int part) => DedupLayout.SignatureFile(Folder, part);

    /// <summary>Opens <paramref name="folder"/> and checks it against this run's <paramref name="options"/>; every problem is an <see cref="InvalidDataException"/> naming the folder or file.</summary>
    public static DedupIndex Open(string folder, DedupOptions options)
    {
        folder = Path.GetFullPath(folder);
        var first = Path.Combine(folder, DedupIndexPart.FileName(0));
        if (!Directory.Exists(folder)) throw new InvalidDataException($"{folder}: dedup index folder does not exist");
        if (!File.Exists(first)) throw new InvalidDataException($"{folder}: not a dedup index (no {DedupIndexPart.FileName(0)}); write one with write_index / --write-index");
        var head = DedupIndexPart.Load(first);
        if (head.FormatVersion != DedupIndexConfig.FormatVersion)
            throw new InvalidDataException($"{folder}: dedup index format_version is {head.FormatVersion}, this DataFlow reads {DedupIndexConfig.FormatVersion}; rebuild the index");
        if (head.FingerprintVersion != DedupIndexConfig.FingerprintVersion)
            throw new InvalidDataException($"{folder}: dedup index fingerprint_version is {head.FingerprintVersion}, this DataFlow hashes with {DedupIndexConfig.FingerprintVersion} (normalization or hashing changed since); rebuild the index");
        var differences = DedupIndexConfig.Differences(head.Config, DedupIndexConfig.Of(options)).ToList();
        if (differences.Count > 0)
            throw new InvalidDataException($"{folder}: dedup index was written with another configuration: "
                + string.Join("; ", differences.Select(d => $"{d.Key} is {d.Index} in the index, {d.Run} in this run"))
                + ". Records made under other settings cannot be compared: run with the index's settings or rebuild it");
        if (head.Parts is < 1 or > DocRef.MaxIndexParts)
            throw new InvalidDataException($"{first}: corrupt dedup index: parts {head.Parts} is not in [1, {DocRef.MaxIndexParts}]");

        var stray = Directory.EnumerateFiles(folder, "part-?????.json").Select(p => Path.GetFileName(p))
            .Where(n => !int.TryParse(n.AsSpan(5, 5), out var k) || k >= head.Parts).Order(StringComparer.Ordinal).ToList();
        if (stray.Count > 0)
            throw new InvalidDataException($"{folder}: dedup index has {head.Parts} parts, but {stray[0]} is there too (two indexes written into one folder?)");
        var parts = new List<DedupIndexPart> { head };
        for (var k = 1; k < head.Parts; k++)
        {
            var path = Path.Combine(folder, DedupIndexPart.FileName(k));
            if (!File.Exists(path)) throw new InvalidDataException($"{folder}: dedup index has {head.Parts} parts but {DedupIndexPart.FileName(k)} is missing (truncated or partly copied?)");
            parts.Add(DedupIndexPart.Load(path));
        }
        for (var k = 0; k < parts.Count; k++)
        {
            var part = parts[k];
            var path = Path.Combine(folder, DedupIndexPart.FileName(k));
            if (part.Part != k || part.Parts != head.Parts || part.FormatVersion != head.FormatVersion
                || part.FingerprintVersion != head.FingerprintVersion || DedupIndexConfig.Differences(part.Config, head.Config).Any())
                throw new InvalidDataException($"{path}: corrupt dedup index: this part manifest does not match {DedupIndexPart.FileName(0)} (part, parts, versions or configuration)");
            CheckFiles(folder, part, options);
        }
        return new DedupIndex(folder, parts);
    }

    private static void CheckFiles(string folder, DedupIndexPart part, DedupOptions options)
    {
        var expected = FileNames(options, part.Part);
        var listed = part.Files.Select(f => f.Name).ToList();
        if (!listed.SequenceEqual(expected))
            throw new InvalidDataException($"{Path.Combine(folder, DedupIndexPart.FileName(part.Part))}: corrupt dedup index: lists files [{string.Join(", ", listed)}], expected [{string.Join(", ", expected)}]");
        var partitions = options.AllPartitions;
        for (var i = 0; i < part.Files.Count; i++)
        {
            var file = part.Files[i];
            var path = Path.Combine(folder, file.Name);
            if (!File.Exists(path)) throw new InvalidDataException($"{path}: dedup index file is missing");
            var length = new FileInfo(path).Length;
            if (length != file.Bytes) throw new InvalidDataException($"{path}: corrupt dedup index: {length} bytes, its part manifest says {file.Bytes} (truncated or replaced)");
            var (size, kind) = i < options.NearPartitions ? (RecordFileWriter<BandRecord>.RecordSize, BandRecord.Kind)
                : i < partitions ? (RecordFileWriter<ExactRecord>.RecordSize, ExactRecord.Kind)
                : (sizeof(uint), DedupLayout.SignatureKind);
            var info = RecordFileFormat.ReadInfo(path, size, kind);
            if (info.RecordCount != file.Records || DedupIndexFile.Digest(info) != file.Checksum)
                throw new InvalidDataException($"{path}: corrupt dedup index: record count or checksum differs from its part manifest (file changed after the index was written)");
        }
    }
}
