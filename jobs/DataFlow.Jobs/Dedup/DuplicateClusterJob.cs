using System.Runtime.InteropServices;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Dedup stage 3: one task that streams every pair file into a union-find (exact pairs first, then near pairs,
/// optionally verified against the full signatures), picks one keeper per cluster by the keep policy, and writes
/// for each signatures task the sorted list of its documents to remove. Memory grows with the number of
/// documents that appear in pairs, never with the corpus: the pair, info and signature files are streamed.
/// Documents of indexes read with <c>against</c> (indexed DocRefs) join the union-find like any other, win their
/// cluster (they were kept, or removed in favour of one that was, by an earlier run) and are never on a removal list;
/// their signatures are read from the index, only the runs that hold one of them.
/// </summary>
public sealed class DuplicateClusterJob(DedupOptions options, DedupLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var signatures = context.ManifestOf(layout.Signatures);
        var buckets = context.ManifestOf(layout.Buckets);
        var tasks = signatures.Tasks.Count;
        var inputs = new List<string>(buckets.AllOutputs);
        inputs.AddRange(Enumerable.Range(0, tasks).Select(i => DedupLayout.DocInfoFile(SignatureDir(signatures), i)));
        if (options.Verify) inputs.AddRange(Enumerable.Range(0, tasks).Select(i => DedupLayout.SignatureFile(SignatureDir(signatures), i)));
        var outputs = Enumerable.Range(0, tasks).Select(i => DedupLayout.RemovalFile(context.OutputDir, i)).ToList();
        return [new TaskPlan(0, inputs, outputs)];
    }

    private static string SignatureDir(StageManifest signatures) => Path.GetDirectoryName(signatures.Tasks[0].Outputs[0])!;

    public void Run(TaskContext context)
    {
        var partitions = options.AllPartitions;
        var tasks = context.Plan.Outputs.Count;
        var pairFiles = context.Inputs.Take(partitions).ToList();
        var infoFiles = context.Inputs.Skip(partitions).Take(tasks).ToList();
        var signatureFiles = options.Verify ? context.Inputs.Skip(partitions + tasks).Take(tasks).ToList() : [];
        var stats = context.Stats;
        var graph = new DuplicateGraph();

        long exactPairs = 0, urlPairs = 0, candidatePairs = 0, rejected = 0;
        foreach (var file in pairFiles.Skip(options.NearPartitions).Take(options.ExactPartitions))
            foreach (var pair in ReadAll<PairRecord>(file, PairRecord.ExactKind))
            {
                graph.UnionExact(pair.First, pair.Other);
                exactPairs++;
            }
        foreach (var file in pairFiles.Skip(options.NearPartitions + options.ExactPartitions))
            foreach (var pair in ReadAll<PairRecord>(file, PairRecord.ExactKind))
            {
                graph.UnionUrl(pair.First, pair.Other);
                urlPairs++;
            }

        var nearFiles = pairFiles.Take(options.NearPartitions).ToList();
        if (options.Verify)
        {
            foreach (var file in nearFiles)
                foreach (var pair in ReadAll<PairRecord>(file, PairRecord.NearKind))
                {
                    graph.NodeOf(pair.First);
                    graph.NodeOf(pair.Other);
                }
            var numPerm = options.Signature.NumPerm;
            var store = LoadSignatures(signatureFiles, graph, numPerm, options.Against);
            var threshold = (int)Math.Ceiling(options.VerifyThreshold * numPerm - 1e-9);
            foreach (var file in nearFiles)
                foreach (var pair in ReadAll<PairRecord>(file, PairRecord.NearKind))
                {
                    candidatePairs++;
                    graph.TryGetNode(pair.First, out var a);
                    graph.TryGetNode(pair.Other, out var b);
                    if (graph.ClusterOf(a) == graph.ClusterOf(b)) continue;
                    if (Agreement(store[a], store[b]) >= threshold)
                        graph.UnionNear(pair.First, pair.Other);
                    else rejected++;
                }
        }
        else
        {
            foreach (var file in nearFiles)
                foreach (var pair in ReadAll<PairRecord>(file, PairRecord.NearKind))
                {
                    candidatePairs++;
                    graph.UnionNear(pair.First, pair.Other);
                }
        }
        stats.Add("exact_pairs", exactPairs);
        if (options.Url) stats.Add("url_pairs", urlPairs);
        stats.Add("candidate_pairs", candidatePairs);
        stats.Add("candidate_pairs_rejected", rejected);

        var n = graph.Count;
        var priority = new ChunkedList<double>(n);
        var bytes = new ChunkedList<long>(n);
        var idHash = new ChunkedList<ulong>(n);
        var seen = new ChunkedList<bool>(n);
        // Indexed documents were kept (or removed) by an earlier run and are not in this one: they have no info here and win every cluster.
        long indexedNodes = 0;
        for (long node = 0; node < n; node++)
            if (DocRef.IsIndexed(graph.DocOf(node)))
            {
                seen[node] = true;
                indexedNodes++;
            }
        foreach (var file in infoFiles)
            foreach (var info in ReadAll<DocInfoRecord>(file, DocInfoRecord.Kind))
                if (graph.TryGetNode(info.Doc, out var node))
                {
                    priority[node] = info.Priority;
                    bytes[node] = info.Bytes;
                    idHash[node] = info.IdHash;
                    seen[node] = true;
                }
        for (long node = 0; node < n; node++)
            if (!seen[node]) throw new InvalidDataException($"document {DocRef.Format(graph.DocOf(node))} is in a pair but in no docs-*.bin file");

        // Keeper of each cluster and representative of each exact group: highest priority, then earliest document.
        var keeper = new ChunkedList<long>(n);
        var exactRep = new ChunkedList<long>(n);
        var urlRep = new ChunkedList<long>(n);
        keeper.Fill(-1);
        exactRep.Fill(-1);
        urlRep.Fill(-1);
        bool Better(long x, long y)
        {
            var (ix, iy) = (DocRef.IsIndexed(graph.DocOf(x)), DocRef.IsIndexed(graph.DocOf(y)));
            if (ix != iy) return ix; // an indexed document beats any priority a new one may have (url_priority included)
            return priority[x] > priority[y] || (priority[x] == priority[y] && graph.DocOf(x) < graph.DocOf(y));
        }
        for (long node = 0; node < n; node++)
        {
            var root = graph.ClusterOf(node);
            if (keeper[root] < 0 || Better(node, keeper[root])) keeper[root] = node;
            var group = graph.ExactGroupOf(node);
            if (exactRep[group] < 0 || Better(node, exactRep[group])) exactRep[group] = node;
            var site = graph.UrlGroupOf(node);
            if (urlRep[site] < 0 || Better(node, urlRep[site])) urlRep[site] = node;
        }

        var removals = Enumerable.Range(0, tasks).Select(_ => new List<RemovalRecord>()).ToArray();
        var histogram = new SortedDictionary<long, long>();
        for (long node = 0; node < n; node++)
        {
            var root = graph.ClusterOf(node);
            var size = graph.ClusterSize(root);
            if (size < 2) continue;
            if (DocRef.IsIndexed(graph.DocOf(node)) && keeper[root] != node) continue; // not in this run's input
            if (keeper[root] == node)
            {
                var bucket = SizeBucket(size);
                histogram[bucket] = histogram.GetValueOrDefault(bucket) + 1;
                continue;
            }
            // Why: an identical text was kept (exact), else a document with the same URL was (url), else near.
            var reason = exactRep[graph.ExactGroupOf(node)] != node ? RemovalRecord.ExactReason
                : urlRep[graph.UrlGroupOf(node)] != node ? RemovalRecord.UrlReason : RemovalRecord.NearReason;
            var doc = graph.DocOf(node);
            var task = DocRef.Task(doc);
            if (task >= tasks) throw new InvalidDataException($"document {DocRef.Format(doc)} names a signatures task that does not exist ({tasks} tasks)");
            removals[task].Add(new RemovalRecord(DocRef.Ordinal(doc), idHash[node], graph.DocOf(keeper[root]), size, reason));
            var name = reason switch { RemovalRecord.ExactReason => "exact", RemovalRecord.UrlReason => "url", _ => "near" };
            stats.Add("removed_" + name);
            if (DocRef.IsIndexed(graph.DocOf(keeper[root]))) stats.Add("removed_as_indexed_duplicate");
            stats.Add("bytes_saved_" + name, bytes[node]);
        }
        foreach (var (bucket, count) in histogram)
            stats.Add($"clusters_of.{SizeLabel(bucket)}", count);
        stats.Add("clusters", histogram.Values.Sum());
        stats.Add("docs_in_pairs", n);
        if (options.Against.Count > 0) stats.Add("indexed_docs_in_pairs", indexedNodes);

        for (var task = 0; task < tasks; task++)
        {
            var list = removals[task];
            list.Sort();
            using var writer = new RecordFileWriter<RemovalRecord>(context.CreateOutput(context.Plan.Outputs[task]), RemovalRecord.Kind);
            writer.Append(CollectionsMarshal.AsSpan(list));
            writer.Complete();
        }
    }

    private static SignatureStore LoadSignatures(IReadOnlyList<string> files, DuplicateGraph graph, int numPerm, IReadOnlyList<DedupIndex> against)
    {
        var store = new SignatureStore(graph.Count, numPerm);
        var found = new ChunkedList<bool>(graph.Count);
        var recordWords = numPerm + 2;
        if (against.Count > 0) IndexedSignatures.Load(against, graph, store, found);
        foreach (var file in files)
        {
            var info = RecordFileFormat.ReadInfo(file, sizeof(uint), DedupLayout.SignatureKind);
            if (info.RecordCount % recordWords != 0)
                throw new InvalidDataException($"{file}: {info.RecordCount} words is not a whole number of {numPerm}-value signatures (written with another num_perm?)");
            var words = new uint[recordWords];
            for (var r = 0; r < info.Runs.Count; r++)
            {
                using var reader = new RecordRunReader<uint>(info, r, 1 << 16);
                while (true)
                {
                    var i = 0;
                    for (; i < recordWords && reader.MoveNext(); i++) words[i] = reader.Current;
                    if (i == 0) break;
                    if (i < recordWords) throw new InvalidDataException($"{file}: a signature is cut short");
                    var doc = words[0] | ((ulong)words[1] << 32);
                    if (!graph.TryGetNode(doc, out var node)) continue;
                    words.AsSpan(2).CopyTo(store[node]);
                    found[node] = true;
                }
            }
        }
        for (long missing = 0; missing < graph.Count; missing++)
            if (!found[missing]) throw new InvalidDataException($"document {DocRef.Format(graph.DocOf(missing))} is in a candidate pair but has no signature");
        return store;
    }

    private static int Agreement(ReadOnlySpan<uint> a, ReadOnlySpan<uint> b)
    {
        var equal = 0;
        for (var i = 0; i < a.Length; i++)
            if (a[i] == b[i]) equal++;
        return equal;
    }

    /// <summary>Every record of a verified record file, run after run.</summary>
    internal static IEnumerable<T> ReadAll<T>(string path, string kind) where T : unmanaged
    {
        var info = RecordFileFormat.ReadInfo(path, RecordFileWriter<T>.RecordSize, kind);
        for (var r = 0; r < info.Runs.Count; r++)
        {
            using var reader = new RecordRunReader<T>(info, r);
            while (reader.MoveNext()) yield return reader.Current;
        }
    }

    /// <summary>Power-of-two size classes: 2, 3-4, 5-8, 9-16, ... (64-bit: a cluster can hold more than 2^31 documents).</summary>
    public static long SizeBucket(long size) => size <= 2 ? 2 : 1L << (64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(size - 1)));

    public static string SizeLabel(long bucket) => bucket == 2 ? "0002" : $"{bucket / 2 + 1:D4}-{bucket:D4}";
}
