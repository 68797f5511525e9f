using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Normalization;
using DataFlow.Text.Pii;
using DataFlow.Text.Quality;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// The quality stage: runs the rule chain on each document (normalized for analysis when configured), keeps or
/// drops it with the first failing rule's reason, and records the detected language. A kept document leaves as
/// written (<see cref="KeptText"/>) unless a rule removed lines or <c>rewrite: normalized</c> is set; each rewrite
/// is counted per reason (<c>rewritten.REASON</c>). Each task builds its own chain (rules hold scratch buffers).
/// </summary>
public sealed partial class QualityJob(DocumentStageOptions options, Func<QualityRuleChain> chainFactory, TextNormalizerOptions? normalize,
    bool writeNormalized = false)
    : DocumentStageJob(options)
{
    private const int ExamplesPerReason = 3;
    private const int ExampleChars = 160;
    private readonly ConcurrentDictionary<string, int> _examples = new(StringComparer.Ordinal);

    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } =
        [ExtraColumn.String("language"), ExtraColumn.Double("language_score")];

    protected override IDocumentProcessor CreateProcessor(TaskContext context) =>
        new Processor(chainFactory(), normalize is null ? null : new TextNormalizer(normalize), writeNormalized);

    protected override string? ExampleOf(Document document, string reason)
    {
        // The base class asks for every drop; mask (PII kernels: e-mails, phones, cards, IPs, ...) only the few kept as examples.
        if (_examples.AddOrUpdate(reason, 1, (_, n) => n + 1) > ExamplesPerReason) return null;
        // Cut at a space before masking, so no half value escapes the mask.
        var head = document.Text;
        if (head.Length > 2 * ExampleChars)
        {
            var space = head.LastIndexOfAny([' ', '\n'], 2 * ExampleChars);
            head = head[..(space > 0 ? space : 2 * ExampleChars)];
        }
        return $"{PiiMask.ForDisplay(document.Id)}: {Mask(head.ReplaceLineEndings(" "), ExampleChars)}";
    }

    /// <summary>The PII kernels' display mask, then any run of 5+ digits the scanner did not claim (account or phone numbers in odd formats).</summary>
    private static string Mask(string text, int maxChars = int.MaxValue)
    {
        var masked = DigitRun().Replace(PiiMask.ForDisplay(text), "<NUMBER>");
        return masked.Length <= maxChars ? masked : masked[..maxChars] + "…";
    }

    [GeneratedRegex(@"\d(?:[ .\-]?\d){4,}")]
    private static partial Regex DigitRun();

    /// <summary>Rewrite reason of <c>rewrite: normalized</c>: the kept document is the normalized text the rules saw.</summary>
    public const string NormalizedRewrite = "normalized";

    private sealed class Processor(QualityRuleChain chain, TextNormalizer? normalizer, bool writeNormalized) : IDocumentProcessor
    {
        private readonly Dictionary<string, long> _languages = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _rewriteCounts = new(StringComparer.Ordinal);
        private readonly List<string> _reasons = [];
        private long _rewritten;

        public DocumentVerdict Process(Document document)
        {
            var original = document.Text;
            var normalized = normalizer is null ? original : normalizer.Normalize(original);
            var (verdict, analyzed) = chain.Check(normalized);
            if (analyzed.Language is { } language)
            {
                document["language"] = language;
                document["language_score"] = Math.Round(analyzed.LanguageScore, 4);
                _languages[language] = _languages.GetValueOrDefault(language) + 1;
            }
            if (!verdict.IsKept) return DocumentVerdict.Drop(verdict.DropReason!);
            _reasons.Clear();
            string kept;
            if (writeNormalized)
            {
                // The text the last rule saw: normalized, C4's kept lines stripped and joined by '\n' (the old output).
                kept = analyzed.Text;
                if (!ReferenceEquals(normalized, original) && normalized != original) _reasons.Add(NormalizedRewrite);
                _ = KeptText.Of(original, analyzed, normalizer, _reasons);
            }
            else
            {
                kept = KeptText.Of(original, analyzed, normalizer, _reasons);
            }
            if (!ReferenceEquals(kept, original) && kept != original)
            {
                document.Text = kept;
                _rewritten++;
                foreach (var reason in _reasons) _rewriteCounts[reason] = _rewriteCounts.GetValueOrDefault(reason) + 1;
            }
            return DocumentVerdict.Keep;
        }

        public void Complete(TaskStats stats)
        {
            // Zero counters make every possible reason visible in stats and reports.
            foreach (var reason in chain.Reasons) stats.Add("dropped." + reason, 0);
            foreach (var (language, count) in _languages) stats.Add("language." + language, count);
            stats.Add("docs_rewritten", _rewritten);
            foreach (var (reason, count) in _rewriteCounts) stats.Add("rewritten." + reason, count);
        }
    }
}
