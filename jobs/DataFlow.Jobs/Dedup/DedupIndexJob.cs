using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage <c>NAME.index</c> (with <c>write_index</c>, after the clusters stage): task i copies what signatures
/// task i wrote (its sorted band and exact records per partition, and its full signatures when verifying) into the
/// index folder as part i, checks each copy, and writes the part's manifest last. Nothing is recomputed: an index costs
/// one copy of the signature files (about 250 B per document, plus 456 B with verification at the defaults).
/// </summary>
public sealed class DedupIndexJob(DedupOptions options, DedupLayout layout, string folder) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        if (signatures.Tasks.Count > DocRef.MaxIndexParts)
            throw new InvalidOperationException($"{folder}: an index holds at most {DocRef.MaxIndexParts} parts, this run has {signatures.Tasks.Count} signatures tasks");
        if (options.Against.Any(a => a.Folder == folder))
            throw new InvalidOperationException($"{folder}: write_index names a folder this run reads as against; write the new index to its own folder");
        return signatures.Tasks.Select(t =>
        {
            var names = DedupIndex.FileNames(options, t.Index);
            var dir = Path.GetDirectoryName(t.Outputs[0])!;
            var inputs = names.Select(n => Path.Combine(dir, n)).Append(DedupLayout.DocInfoFile(dir, t.Index)).ToList();
            var outputs = names.Select(n => Path.Combine(folder, n)).Append(Path.Combine(folder, DedupIndexPart.FileName(t.Index))).ToList();
            return new TaskPlan(t.Index, inputs, outputs);
        }).ToList();
    }

    public void Run(TaskContext context)
    {
        var names = DedupIndex.FileNames(options, context.Index);
        var files = new List<DedupIndexFile>();
        long bytes = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var temp = context.CreateOutput(context.Plan.Outputs[i]);
            File.Copy(context.Inputs[i], temp, overwrite: true);
            var kind = i < options.NearPartitions ? BandRecord.Kind : i < options.AllPartitions ? ExactRecord.Kind : DedupLayout.SignatureKind;
            var size = kind == BandRecord.Kind ? RecordFileWriter<BandRecord>.RecordSize : kind == ExactRecord.Kind ? RecordFileWriter<ExactRecord>.RecordSize : sizeof(uint);
            // Checks the copy as a record file (length, run table); the run checksums themselves travel in the copy.
            var file = DedupIndexFile.Of(names[i], temp, RecordFileFormat.ReadInfo(temp, size, kind));
            files.Add(file);
            bytes += file.Bytes;
        }
        var documents = RecordFileFormat.ReadInfo(context.Inputs[^1], RecordFileWriter<DocInfoRecord>.RecordSize, DocInfoRecord.Kind).RecordCount;
        var part = new DedupIndexPart
        {
            FormatVersion = DedupIndexConfig.FormatVersion,
            FingerprintVersion = DedupIndexConfig.FingerprintVersion,
            Part = context.Index,
            Parts = StageManifest.Load(context.Run.ManifestFile(layout.Signatures)).Tasks.Count,
            Documents = documents,
            Config = DedupIndexConfig.Of(options),
            Against = options.Against.Select(a => a.Folder).ToList(),
            Files = files,
        };
        File.WriteAllText(context.CreateOutput(context.Plan.Outputs[^1]), part.ToJson());
        context.Stats.Add("docs_indexed", documents);
        context.Stats.Add("bytes_indexed", bytes);
    }
}
