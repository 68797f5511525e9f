using System.Diagnostics;
using System.Text.Json;
using DataFlow.Text.Dedup;

namespace DataFlow.Bench.Dedup;

/// <summary>
/// Ground truth by brute force: exact Jaccard of every pair of documents that shares a shingle (an inverted
/// index makes that all-pairs, not a sample), compared with the pairs MinHash/LSH flags (share a band) and with
/// the clusters union-find builds from them. Prints markdown tables for docs/dedup.md.
/// </summary>
internal static class AccuracyEvaluation
{
    public static void Run(string corpusDir, MinHashOptions options, double verifyThreshold)
    {
        var docs = BenchCorpus.Load(Path.Combine(corpusDir, "corpus.jsonl"));
        var n = docs.Count;
        var clock = Stopwatch.StartNew();
        var fingerprinter = new DedupFingerprinter(options);
        var sets = new ulong[n][];
        var bands = new ulong[n][];
        var signatures = new uint[n][];
        var signature = new uint[options.NumPerm];
        for (var i = 0; i < n; i++)
        {
            var fp = fingerprinter.Compute(docs[i].Text, signature);
            var set = fingerprinter.Shingles.ToArray();
            Array.Sort(set);
            sets[i] = set.Distinct().ToArray();
            signatures[i] = (uint[])signature.Clone();
            bands[i] = fp.Mode == ShingleMode.Empty ? [] : Enumerable.Range(0, options.Bands).Select(b => LshBands.BandHash(signature, b, options.Rows)).ToArray();
        }
        Console.WriteLine($"signatures for {n} docs in {clock.Elapsed.TotalSeconds:F1}s");

        // Flagged pairs: share at least one band.
        var flagged = new HashSet<long>();
        for (var b = 0; b < options.Bands; b++)
        {
            var buckets = new Dictionary<ulong, List<int>>();
            for (var i = 0; i < n; i++)
            {
                if (bands[i].Length == 0) continue;
                if (!buckets.TryGetValue(bands[i][b], out var list)) buckets[bands[i][b]] = list = [];
                list.Add(i);
            }
            foreach (var list in buckets.Values)
                for (var x = 0; x < list.Count; x++)
                    for (var y = x + 1; y < list.Count; y++) flagged.Add(Key(list[x], list[y]));
        }
        // What the clusters stage keeps: candidates whose signatures agree on at least verifyThreshold of positions.
        var threshold = (int)Math.Ceiling(verifyThreshold * options.NumPerm - 1e-9);
        var verified = flagged.Where(k =>
        {
            var (a, c) = Unkey(k);
            var equal = 0;
            for (var p = 0; p < options.NumPerm; p++)
                if (signatures[a][p] == signatures[c][p]) equal++;
            return equal >= threshold;
        }).ToHashSet();
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        foreach (var key in verified) { var (a, c) = Unkey(key); parent[Find(a)] = Find(c); }

        // Exact Jaccard of every pair sharing a shingle.
        clock.Restart();
        var postings = new Dictionary<ulong, List<int>>();
        for (var i = 0; i < n; i++)
            foreach (var s in sets[i])
            {
                if (!postings.TryGetValue(s, out var list)) postings[s] = list = [];
                list.Add(i);
            }
        var truth = new Dictionary<long, double>();
        var counts = new int[n];
        var touched = new List<int>();
        for (var i = 0; i < n; i++)
        {
            foreach (var s in sets[i])
                foreach (var j in postings[s])
                {
                    if (j <= i) continue;
                    if (counts[j]++ == 0) touched.Add(j);
                }
            foreach (var j in touched)
            {
                truth[Key(i, j)] = (double)counts[j] / (sets[i].Length + sets[j].Length - counts[j]);
                counts[j] = 0;
            }
            touched.Clear();
        }
        Console.WriteLine($"exact Jaccard of {truth.Count:N0} pairs sharing a shingle (of {(long)n * (n - 1) / 2:N0}) in {clock.Elapsed.TotalSeconds:F1}s");

        double J(long key) => truth.TryGetValue(key, out var j) ? j : 0;
        var high = truth.Where(kv => kv.Value >= 0.8).Select(kv => kv.Key).ToList();
        var highFlagged = high.Count(flagged.Contains);
        var highClustered = high.Count(k => { var (a, c) = Unkey(k); return Find(a) == Find(c); });
        var lowFlagged = flagged.Count(k => J(k) < 0.5);
        var highVerified = high.Count(verified.Contains);
        var lowVerified = verified.Count(k => J(k) < 0.5);
        Console.WriteLine();
        Console.WriteLine($"bands x rows = {options.Bands} x {options.Rows}, word n-gram {options.WordNgram}");
        Console.WriteLine($"| metric | value |\n| --- | --- |");
        Console.WriteLine($"| pairs with true Jaccard >= 0.8 | {high.Count} |");
        Console.WriteLine($"| ... flagged by LSH (share a band) | {highFlagged} ({Pct(highFlagged, high.Count)}) |");
        Console.WriteLine($"| ... kept after verification (agreement >= {verifyThreshold}) | {highVerified} ({Pct(highVerified, high.Count)}) |");
        Console.WriteLine($"| ... in the same cluster (verified pairs, union-find) | {highClustered} ({Pct(highClustered, high.Count)}) |");
        Console.WriteLine($"| flagged pairs, LSH alone | {flagged.Count} |");
        Console.WriteLine($"| ... with true Jaccard < 0.5 | {lowFlagged} ({Pct(lowFlagged, flagged.Count)}) |");
        Console.WriteLine($"| flagged pairs after verification | {verified.Count} |");
        Console.WriteLine($"| ... with true Jaccard < 0.5 | {lowVerified} ({Pct(lowVerified, verified.Count)}) |");

        Console.WriteLine();
        Console.WriteLine("| true Jaccard | pairs | flagged by LSH | measured P(flag) | theory 1-(1-s^r)^b (mean over the bin's pairs) | after verification |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        for (var bin = 0; bin < 10; bin++)
        {
            double lo = bin / 10.0, hi = (bin + 1) / 10.0;
            var inBin = truth.Where(kv => kv.Value >= lo && (kv.Value < hi || (bin == 9 && kv.Value <= 1))).ToList();
            if (bin == 0)
            {
                var zeroPairs = (long)n * (n - 1) / 2 - truth.Count;
                var zeroFlagged = flagged.Count(k => !truth.ContainsKey(k));
                Console.WriteLine($"| 0 (no shared shingle) | {zeroPairs:N0} | {zeroFlagged} | {(double)zeroFlagged / zeroPairs:F6} | 0 | {verified.Count(k => !truth.ContainsKey(k))} |");
            }
            var f = inBin.Count(kv => flagged.Contains(kv.Key));
            var theory = inBin.Count == 0 ? 0 : inBin.Average(kv => options.CandidateProbability(kv.Value));
            var v = inBin.Count(kv => verified.Contains(kv.Key));
            Console.WriteLine($"| [{lo:F1}, {hi:F1}{(bin == 9 ? "]" : ")")} | {inBin.Count:N0} | {f:N0} | {(inBin.Count == 0 ? "-" : ((double)f / inBin.Count).ToString("F4"))} | {theory:F4} | {v:N0} |");
        }

        // Planted duplicates from the corpus script's truth file.
        var index = new Dictionary<string, int>();
        for (var i = 0; i < n; i++) index[docs[i].Id] = i;
        Console.WriteLine();
        Console.WriteLine("| planted kind | count | same cluster as source | mean true Jaccard |");
        Console.WriteLine("| --- | --- | --- | --- |");
        var planted = File.ReadLines(Path.Combine(corpusDir, "corpus.truth.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Id: e.GetProperty("id").GetString()!, Source: e.GetProperty("source").GetString()!, Kind: e.GetProperty("kind").GetString()!))
            .ToList();
        foreach (var group in planted.GroupBy(p => p.Kind).OrderBy(g => g.Key))
        {
            var found = group.Count(p => Find(index[p.Id]) == Find(index[p.Source]));
            var meanJ = group.Average(p => J(Key(index[p.Id], index[p.Source])));
            Console.WriteLine($"| {group.Key} | {group.Count()} | {found} | {meanJ:F3} |");
        }

        // False removals: with keep first, the lowest index of a cluster stays and every other member is removed; a
        // removal is false when the removed document and the keeper are not copies of one source by the truth file.
        var sourceOf = planted.ToDictionary(p => p.Id, p => p.Source);
        string Group(int i) => sourceOf.GetValueOrDefault(docs[i].Id, docs[i].Id);
        var keeper = new Dictionary<int, int>();
        for (var i = 0; i < n; i++)
            if (!keeper.ContainsKey(Find(i))) keeper[Find(i)] = i;
        Console.WriteLine();
        Console.WriteLine("| documents | count | removed | false removals (not a copy of the kept document) |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var lang in Enumerable.Range(0, n).GroupBy(i => docs[i].Id.Split('/')[0]).OrderBy(g => g.Key))
        {
            var removed = lang.Where(i => keeper[Find(i)] != i).ToList();
            var wrong = removed.Count(i => Group(i) != Group(keeper[Find(i)]));
            Console.WriteLine($"| {lang.Key} | {lang.Count()} | {removed.Count} | {wrong} ({Pct(wrong, lang.Count())}) |");
        }
    }

    private static string Pct(long a, long b) => b == 0 ? "-" : $"{100.0 * a / b:F2}%";

    private static long Key(int a, int b) => a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;

    private static (int, int) Unkey(long key) => ((int)(key >> 32), (int)(key & 0xFFFFFFFF));
}
