using System.Collections.Concurrent;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Normalization;
using DataFlow.Text.Quality;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// The quality stage: normalizes each document, runs the rule chain, keeps or drops it with the first failing
/// rule's reason, and records the detected language. Each task builds its own chain (rules hold scratch buffers).
/// </summary>
public sealed class QualityJob(DocumentStageOptions options, Func<QualityRuleChain> chainFactory, TextNormalizerOptions? normalize)
    : DocumentStageJob(options)
{
    private const int ExamplesPerReason = 3;
    private readonly ConcurrentDictionary<string, int> _examples = new(StringComparer.Ordinal);

    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } =
        [ExtraColumn.String("language"), ExtraColumn.Double("language_score")];

    protected override IDocumentProcessor CreateProcessor(TaskContext context) =>
        new Processor(chainFactory(), normalize is null ? null : new TextNormalizer(normalize));

    protected override string? ExampleOf(Document document, string reason)
    {
        // The base class asks for every drop; mask only the few that are kept as examples.
        if (_examples.AddOrUpdate(reason, 1, (_, n) => n + 1) > ExamplesPerReason) return null;
        return ExampleMasker.Excerpt(document.Id, document.Text);
    }

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
