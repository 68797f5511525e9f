using System.Globalization;
using DataFlow.Text.Dedup;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// What must be equal for the records of an index to mean the same thing in a later run: the exact mode, the
/// MinHash settings (shingle n-grams, CJK share, bands, rows, seed, so num_perm), URL dedup and the field it reads,
/// how records are partitioned, and whether full signatures are kept (for verification). Sentence-span settings are
/// not here: spans are not indexed. Keys are the YAML keys, so a mismatch names the key to fix.
/// </summary>
public static class DedupIndexConfig
{
    /// <summary>Version of the index layout (folder, part manifests, record files).</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Version of the fingerprint (normalization, tokens, shingle hash, MinHash permutations, band hash). Bump it with
    /// any change to <c>DedupFingerprinter</c>, <c>MinHasher</c>, <c>LshBands</c> or <c>UrlNormalizer</c> that changes a hash: old indexes then fail loudly.
    /// </summary>
    public const int FingerprintVersion = 1;

    /// <summary>The settings of <paramref name="options"/> that an index must share, by YAML key.</summary>
    public static SortedDictionary<string, string> Of(DedupOptions options)
    {
        var s = options.Signature;
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["exact"] = options.Exact switch { ExactMode.Written => "written", ExactMode.Normalized => "normalized", _ => "false" },
            ["minhash"] = options.MinHash ? "true" : "false",
            ["url"] = options.Url ? "true" : "false",
            ["buckets_per_band"] = options.BucketsPerBand.ToString(CultureInfo.InvariantCulture),
        };
        // URL partitions follow the near and exact ones: an index with them (or without) is laid out differently too.
        if (options.Url) config["url_field"] = options.UrlField;
        if (!options.MinHash) return config;
        config["ngram"] = s.WordNgram.ToString(CultureInfo.InvariantCulture);
        config["char_ngram"] = s.CharNgram.ToString(CultureInfo.InvariantCulture);
        config["cjk_share"] = s.CjkShare.ToString("R", CultureInfo.InvariantCulture);
        config["bands"] = s.Bands.ToString(CultureInfo.InvariantCulture);
        config["rows"] = s.Rows.ToString(CultureInfo.InvariantCulture);
        config["num_perm"] = s.NumPerm.ToString(CultureInfo.InvariantCulture);
        config["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture);
        // Verification needs the old documents' full signatures, which only an index written with verification holds.
        config["verify_threshold"] = options.Verify ? "on" : "0";
        return config;
    }

    /// <summary>Every key whose value differs (or is missing on one side): key, the index's value, this run's value.</summary>
    public static IEnumerable<(string Key, string Index, string Run)> Differences(IReadOnlyDictionary<string, string> index, IReadOnlyDictionary<string, string> run) =>
        index.Keys.Union(run.Keys).Order(StringComparer.Ordinal)
            .Select(k => (Key: k, Index: index.GetValueOrDefault(k, "(absent)"), Run: run.GetValueOrDefault(k, "(absent)")))
            .Where(d => d.Index != d.Run);
}
