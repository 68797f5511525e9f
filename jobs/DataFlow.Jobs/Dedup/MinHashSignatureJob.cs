using System.Diagnostics;
using System.IO.Hashing;
using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 1 (map side of the shuffle). Task i streams its documents once and writes, per partition j,
/// sorted runs of band records (one partition per band and hash range) and of exact-hash records; plus the
/// per-document info the clusters stage needs and, when candidates are verified, the full signatures.
/// Memory: the run buffer (MaxBufferedRecords x 16-24 B) and one document.
/// </summary>
public sealed class MinHashSignatureJob(DedupOptions options) : IStageJob
{
    public DedupOptions Options => options;

    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var outDir = context.OutputDir;
        var docs = options.Documents;
        IReadOnlyList<IReadOnlyList<string>> inputs = docs.Input is { } patterns
            ? DocumentStageJob.BalancedSplit(InputGlob.Expand(patterns, context.Pipeline.Settings.BaseDir), docs.Tasks)
            : context.PreviousManifest().Tasks.Select(t => (IReadOnlyList<string>)[t.Outputs[0]]).ToList();
        return inputs.Select((files, i) => new TaskPlan(i, files, Outputs(outDir, i))).ToList();
    }

    private List<string> Outputs(string dir, int task)
    {
        var outputs = new List<string>();
        for (var p = 0; p < options.AllPartitions; p++) outputs.Add(DedupLayout.PartitionFile(dir, task, p));
        outputs.Add(DedupLayout.DocInfoFile(dir, task));
        if (options.Verify) outputs.Add(DedupLayout.SignatureFile(dir, task));
        return outputs;
    }

    public void Run(TaskContext context)
    {
        var dir = Path.GetDirectoryName(context.Plan.Outputs[0])!;
        var task = context.Index;
        var sig = options.Signature;
        var near = options.NearPartitions;
        var exactParts = options.ExactPartitions;
        using var bands = near > 0
            ? new PartitionedRunWriter<BandRecord>(Enumerable.Range(0, near).Select(p => context.CreateOutput(DedupLayout.PartitionFile(dir, task, p))).ToList(),
                BandRecord.Kind, options.MaxBufferedRecords)
            : null;
        using var exact = exactParts > 0
            ? new PartitionedRunWriter<ExactRecord>(Enumerable.Range(near, exactParts).Select(p => context.CreateOutput(DedupLayout.PartitionFile(dir, task, p))).ToList(),
                ExactRecord.Kind, Math.Max(1, options.MaxBufferedRecords / sig.Bands))
            : null;
        using var urls = options.Url
            ? new PartitionedRunWriter<ExactRecord>(Enumerable.Range(near + exactParts, options.UrlPartitions).Select(p => context.CreateOutput(DedupLayout.PartitionFile(dir, task, p))).ToList(),
                ExactRecord.Kind, Math.Max(1, options.MaxBufferedRecords / sig.Bands))
            : null;
        using var infos = new RecordFileWriter<DocInfoRecord>(context.CreateOutput(DedupLayout.DocInfoFile(dir, task)), DocInfoRecord.Kind);
        using var signatures = options.Verify
            ? new RecordFileWriter<uint>(context.CreateOutput(DedupLayout.SignatureFile(dir, task)), DedupLayout.SignatureKind)
            : null;

        var fingerprinter = new DedupFingerprinter(sig);
        var signature = new uint[sig.NumPerm];
        var chars = new char[4096];
        var docRefWords = new uint[2];
        long ordinal = 0;
        var stats = context.Stats;
        var hashing = new Stopwatch();
        // Metadata is parsed only when the keep policy reads a field from it; that is a fifth of the read cost.
        var read = options.Keep.By is KeepPolicy.Rule.Max or KeepPolicy.Rule.Min || options.Url ? options.Documents.Read : options.Documents.Read with { KeepMetadata = false };
        for (var f = 0; f < context.Inputs.Count; f++)
        {
            var fileIndex = f;
            void OnFraction(double x) => context.Progress.SetFraction((fileIndex + x) / context.Inputs.Count);
            foreach (var doc in DocumentSources.Read(context.Inputs[f], read, options.Documents.MaskRejects(context.Rejects), OnFraction))
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var bytes = doc.TextUtf8Length;
                var docRef = DocRef.Make(task, ordinal++);
                hashing.Start();
                // URL dedup alone needs no text fingerprint.
                var fp = options.MinHash || options.Exact != ExactMode.Off
                    ? fingerprinter.Compute(TextOf(doc, ref chars), options.MinHash ? signature : Span<uint>.Empty, options.Exact)
                    : default;
                hashing.Stop();
                stats.Add("docs_in");
                stats.Add("bytes_in", bytes);
                stats.Add("shingles", fp.Shingles);
                context.Progress.Advance(1, bytes);
                if (fp.Mode == ShingleMode.Characters) stats.Add("docs_char_shingled");
                if (bands is not null)
                {
                    if (fp.Mode == ShingleMode.Empty) stats.Add("docs_without_shingles");
                    else
                        for (var b = 0; b < sig.Bands; b++)
                        {
                            var hash = LshBands.BandHash(signature, b, sig.Rows);
                            bands.Add(b * options.BucketsPerBand + options.RangeOf(hash), new BandRecord(hash, docRef));
                        }
                }
                if (exact is not null)
                {
                    var high = (ulong)(fp.ExactHash >> 64);
                    exact.Add(options.RangeOf(high), new ExactRecord(high, (ulong)fp.ExactHash, docRef));
                }
                if (urls is not null)
                {
                    if (KeepPolicy.StringField(doc, options.UrlField) is { Length: > 0 } url)
                    {
                        var key = XxHash128.HashToUInt128(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Text.Web.UrlNormalizer.Normalize(url).AsSpan()));
                        var high = (ulong)(key >> 64);
                        urls.Add(options.RangeOf(high), new ExactRecord(high, (ulong)key, docRef));
                    }
                    else stats.Add("docs_without_url");
                }
                infos.Append(new DocInfoRecord(docRef, options.Keep.PriorityOf(doc, bytes), bytes, IdHash(doc.Id)));
                if (signatures is not null)
                {
                    docRefWords[0] = (uint)docRef;
                    docRefWords[1] = (uint)(docRef >> 32);
                    signatures.Append(docRefWords);
                    signatures.Append(signature);
                    // Runs of a fixed number of documents, each checksummed: an index reads back only the runs it needs.
                    if (ordinal % SignatureRunDocuments == 0) signatures.EndRun();
                }
            }
        }
        bands?.Complete();
        exact?.Complete();
        urls?.Complete();
        infos.Complete();
        signatures?.Complete();
        stats.AddValue("seconds_hashing", hashing.Elapsed.TotalSeconds);
        stats.Add("sorted_runs", (bands?.Spills ?? 0) + (exact?.Spills ?? 0) + (urls?.Spills ?? 0));
    }

    /// <summary>
    /// The text as UTF-16, decoded from the bytes the reader holds into a buffer reused across documents (the same
    /// characters as <see cref="Document.Text"/>, without allocating a string per document).
    /// </summary>
    private static ReadOnlySpan<char> TextOf(Document doc, ref char[] buffer)
    {
        if (!doc.TryGetUtf8Text(out var utf8)) return doc.Text;
        if (buffer.Length < utf8.Length) buffer = new char[Math.Max(utf8.Length, buffer.Length * 2)];
        return buffer.AsSpan(0, Encoding.UTF8.GetChars(utf8, buffer));
    }

    /// <summary>Documents per checksummed run of a signature file (1024 x 456 B = 456 KiB at the defaults).</summary>
    public const int SignatureRunDocuments = 1024;

    public static ulong IdHash(string id) => XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(id.AsSpan()));
}
