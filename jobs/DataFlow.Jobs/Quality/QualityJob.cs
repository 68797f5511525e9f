using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Normalization;
using DataFlow.Text.Pii;
using DataFlow.Text.Quality;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// The quality stage: normalizes each document, runs the rule chain, keeps or drops it with the first failing
/// rule's reason, and records the detected language. Each task builds its own chain (rules hold scratch buffers).
/// </summary>
public sealed partial class QualityJob(DocumentStageOptions options, Func<QualityRuleChain> chainFactory, TextNormalizerOptions? normalize)
    : DocumentStageJob(options)
{
    private const int ExamplesPerReason = 3;
    private const int ExampleChars = 160;
    private readonly ConcurrentDictionary<string, int> _examples = new(StringComparer.Ordinal);

    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } =
        [ExtraColumn.String("language"), ExtraColumn.Double("language_score")];

    protected override IDocumentProcessor CreateProcessor(TaskContext context) =>
        new Processor(chainFactory(), normalize is null ? null : new TextNormalizer(normalize));

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

    private sealed class Processor(QualityRuleChain chain, TextNormalizer? normalizer) : IDocumentProcessor
    {
        private readonly Dictionary<string, long> _languages = new(StringComparer.Ordinal);
        private long _rewritten;

        public DocumentVerdict Process(Document document)
        {
            if (normalizer is not null) document.Text = normalizer.Normalize(document.Text);
            var (verdict, analyzed) = chain.Check(document.Text);
            if (analyzed.Language is { } language)
            {
                document["language"] = language;
                document["language_score"] = Math.Round(analyzed.LanguageScore, 4);
                _languages[language] = _languages.GetValueOrDefault(language) + 1;
            }
            if (!verdict.IsKept) return DocumentVerdict.Drop(verdict.DropReason!);
            if (!ReferenceEquals(analyzed.Text, document.Text))
            {
                document.Text = analyzed.Text;
                _rewritten++;
            }
            return DocumentVerdict.Keep;
        }

        public void Complete(TaskStats stats)
        {
            // Zero counters make every possible reason visible in stats and reports.
            foreach (var reason in chain.Reasons) stats.Add("dropped." + reason, 0);
            foreach (var (language, count) in _languages) stats.Add("language." + language, count);
            stats.Add("docs_rewritten", _rewritten);
        }
    }
}
