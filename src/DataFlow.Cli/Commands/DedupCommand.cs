using System.ComponentModel;
using Spectre.Console.Cli;

namespace DataFlow.Cli.Commands;

public sealed class DedupCommand : Command<DedupCommand.Settings>
{
    public sealed class Settings : StageCommandSettings
    {
        [CommandOption("--exact")]
        [Description("Remove exact duplicates (XxHash128 of the text as written). With none of --exact, --minhash, --url, --sentences, exact and minhash run.")]
        public bool Exact { get; init; }

        [CommandOption("--exact-mode <MODE>")]
        [Description("What exact dedup hashes: written (default, every character) or normalized (lowercase, no punctuation, numbers as 0; see docs/dedup.md). Implies --exact.")]
        public string? ExactMode { get; init; }

        [CommandOption("--minhash")]
        [Description("Remove near duplicates with MinHash/LSH (14 bands x 8 rows, word 5-grams by default).")]
        public bool MinHash { get; init; }

        [CommandOption("--sentences <N>")]
        [Description("Cut spans of N consecutive sentences (3 is datatrove's default) from every document but the first that holds them; documents left under 50 words or 3 sentences are dropped. Alone, only this runs; with --exact or --minhash, after them.")]
        public int? Sentences { get; init; }

        [CommandOption("--url")]
        [Description("Keep one document per normalized URL (the url column, or metadata field; see docs/dedup.md). Alone, only this runs; with --exact or --minhash, beside them.")]
        public bool Url { get; init; }

        [CommandOption("--keep <POLICY>")]
        [Description("Which cluster member survives: first (default), longest, max:FIELD, min:FIELD.")]
        public string? Keep { get; init; }

        [CommandOption("--write-index <DIR>")]
        [Description("Also write this run's dedup index (band, exact and URL records, signatures; not sentence spans) to DIR, for later runs' --against.")]
        public string? WriteIndex { get; init; }

        [CommandOption("--against <DIR>")]
        [Description("Index folder of an earlier run (repeatable): documents that duplicate one it indexes are removed; its old documents are not re-read.")]
        public string[] Against { get; init; } = [];

        [CommandOption("--substring")]
        [Description("Exact substring dedup instead (stage substring_dedup): remove repeated spans of at least --min-tokens UTF-8 bytes found with suffix arrays, from all but the first occurrence.")]
        public bool Substring { get; init; }

        [CommandOption("--min-tokens <N>")]
        [Description("With --substring: shortest repeated span removed, in UTF-8 bytes (default 50).")]
        public int? MinTokens { get; init; }

        [CommandOption("--keep-removed")]
        [Description("Also write removed documents, with reason, cluster_id and cluster_size, to DIR/removed/.")]
        public bool KeepRemoved { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var keys = new Dictionary<string, string>();
        if (settings.Substring)
        {
            if (settings.Exact || settings.MinHash || settings.ExactMode is not null || settings.Keep is not null || settings.Url
                || settings.Sentences is not null || settings.WriteIndex is not null || settings.Against.Length > 0)
                throw new ArgumentException("--substring runs substring dedup alone; run --exact / --minhash / --url / --sentences / --keep / --write-index / --against as a separate dedup");
            if (settings.MinTokens is { } minTokens) keys["min_tokens"] = minTokens.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (settings.KeepRemoved) keys["keep_removed"] = "true";
            return settings.Run("substring_dedup", keys, cancellation);
        }
        if (settings.MinTokens is not null) throw new ArgumentException("--min-tokens needs --substring");
        if (settings.Exact || settings.MinHash || settings.Url || settings.Sentences is not null)
        {
            keys["exact"] = settings.Exact ? "true" : "false";
            keys["minhash"] = settings.MinHash ? "true" : "false";
        }
        if (settings.ExactMode is { } mode) keys["exact"] = SingleStageRun.Quote(mode); // implies --exact
        if (settings.Url) keys["url"] = "true";
        if (settings.Sentences is { } sentences) keys["sentences"] = sentences.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (settings.Keep is { } keep) keys["keep"] = SingleStageRun.Quote(keep);
        if (settings.KeepRemoved) keys["keep_removed"] = "true";
        if (settings.WriteIndex is { } index) keys["write_index"] = SingleStageRun.Quote(Path.GetFullPath(index));
        if (settings.Against.Length > 0) keys["against"] = "[" + string.Join(", ", settings.Against.Select(a => SingleStageRun.Quote(Path.GetFullPath(a)))) + "]";
        return settings.Run("dedup", keys, cancellation);
    }
}
