using System.Text;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Pii;

namespace DataFlow.Jobs.Pii;

/// <summary>
/// The pii stage: scans each document once, applies the per-type policy, counts per type (pii.TYPE, docs_with.TYPE),
/// and records only masked examples. Dropped documents are tag-masked before the engine may write them to removed/,
/// and bad input records are masked before they reach rejects/.
/// </summary>
public sealed class PiiJob(DocumentStageOptions options, PiiStageSettings settings) : DocumentStageJob(options)
{
    public const string DropReason = "pii";
    private const int ExampleContext = 40;
    private const int MaxExamples = 3;

    public PiiStageSettings Settings { get; } = settings;

    protected override IRejectSink RejectSink(TaskContext context) => new MaskingRejectSink(context.Rejects, PiiMask.ForDisplay);

    protected override string? ExampleOf(Document document, string reason) => PiiMask.ForDisplay(document.Text, 160);

    protected override IDocumentProcessor CreateProcessor(TaskContext context)
    {
        PiiPseudonymizer? pseudonyms = null;
        if (Settings.UsesPseudonyms)
        {
            var key = Environment.GetEnvironmentVariable(Settings.KeyVariable);
            if (string.IsNullOrEmpty(key))
                throw new InvalidOperationException($"the pseudonym policy needs a key: set the environment variable {Settings.KeyVariable} (16+ characters)");
            pseudonyms = PiiPseudonymizer.FromPassphrase(key);
        }
        var redactor = new PiiRedactor(Settings.Policies, Settings.DefaultPolicy, Settings.DropAbove, pseudonyms);
        var tagger = new PiiRedactor(new Dictionary<PiiType, PiiPolicy>(), PiiPolicy.Tag);
        return new Processor(new PiiScanner(Settings.Scan), redactor, tagger, Settings.ScrubMetadata, context.Stats);
    }

    private sealed class Processor(PiiScanner scanner, PiiRedactor redactor, PiiRedactor tagger, bool scrubMetadata, TaskStats stats)
        : IDocumentProcessor
    {
        private readonly List<PiiMatch> _matches = [];
        private readonly long[] _counts = new long[PiiTypes.Count];
        private readonly long[] _docs = new long[PiiTypes.Count];
        private long _docsWithPii;
        private long _metadataValues;
        private long _rewritten;
        private readonly int[] _examples = new int[PiiTypes.Count];

        // Documents read as UTF-8 are decoded into this reused buffer for the scan: most documents hold no value, and
        // those are kept without ever becoming a string (no allocation; the writer copies their bytes as read).
        private char[] _chars = new char[4096];

        public DocumentVerdict Process(Document document)
        {
            _matches.Clear();
            if (document.TryGetUtf8Text(out var utf8))
            {
                int need = Encoding.UTF8.GetMaxCharCount(utf8.Length);
                if (_chars.Length < need) _chars = new char[Math.Max(need, 2 * _chars.Length)];
                scanner.Scan(_chars.AsSpan(0, Encoding.UTF8.GetChars(utf8, _chars)), _matches);
            }
            else scanner.Scan(document.Text, _matches);
            if (_matches.Count == 0)
            {
                // What Redact returns for no match: the text as it was, kept, nothing counted.
                if (scrubMetadata && document.Metadata.Length > 2) document.Metadata = ScrubMetadata(document.Metadata, dropped: false);
                return DocumentVerdict.Keep;
            }
            var result = redactor.Redact(document.Text, _matches);
            _docsWithPii++;
            for (int t = 0; t < _counts.Length; t++)
            {
                if (result.CountsByType[t] == 0) continue;
                _counts[t] += result.CountsByType[t];
                _docs[t]++;
            }
            foreach (var m in _matches)
                if (_examples[(int)m.Type]++ < MaxExamples) RecordExample(document.Text, m);
            if (scrubMetadata && document.Metadata.Length > 2) document.Metadata = ScrubMetadata(document.Metadata, result.Dropped);
            if (result.Dropped)
            {
                // The engine may keep dropped documents in removed/: they must hold no raw value either.
                document.Text = tagger.Redact(document.Text, _matches).Text;
                return DocumentVerdict.Drop(DropReason);
            }
            // Masking is the stage's configured rewrite of kept text: counted like the quality stage's rewrites.
            // Unchanged text is not set again: the document keeps the UTF-8 bytes it was read as, so the writer copies them.
            if (!ReferenceEquals(result.Text, document.Text) && result.Text != document.Text)
            {
                _rewritten++;
                document.Text = result.Text;
            }
            return DocumentVerdict.Keep;
        }

        private string ScrubMetadata(string metadata, bool dropped)
        {
            metadata = RelaxedJson.Unescape(metadata);          // "\u002B44 20 ..." must be seen as "+44 20 ..."
            var found = scanner.Scan(metadata);
            if (found.Count == 0) return metadata;
            _metadataValues += found.Count;
            // Tags only: a pseudonym could break a JSON escape; a kept value stays (unless the document goes to removed/).
            if (!dropped)
                found.RemoveAll(m => redactor.PolicyFor(m.Type) == PiiPolicy.Keep);
            return tagger.Redact(metadata, found).Text;
        }

        private void RecordExample(string text, PiiMatch m)
        {
            var key = "pii." + PiiTypes.ConfigName(m.Type);
            int from = Math.Max(0, m.Start - ExampleContext), to = Math.Min(text.Length, m.End + ExampleContext);
            // Never cut a neighbouring value in half: a fragment would escape the mask.
            foreach (var other in _matches)
            {
                if (other.Start < from && other.End > from) from = other.Start;
                if (other.Start < to && other.End > to) to = other.End;
            }
            // Tag what this document's scan found first: a value that needs its context (an SSN after "SSN") may have lost it at the cut.
            var inside = new List<PiiMatch>();
            foreach (var o in _matches)
                if (o.Start >= from && o.End <= to) inside.Add(o with { Start = o.Start - from });
            var tagged = tagger.Redact(text[from..to], inside).Text;
            stats.AddExample(key, PiiMask.ForDisplay(tagged.ReplaceLineEndings(" ")));
        }

        public void Complete(TaskStats taskStats)
        {
            taskStats.Add("docs_with_pii", _docsWithPii);
            taskStats.Add("pii.metadata_values", _metadataValues);
            taskStats.Add("docs_rewritten", _rewritten);
            taskStats.Add("rewritten.pii_masked", _rewritten);
            for (int t = 0; t < _counts.Length; t++)
            {
                if (_counts[t] == 0) continue;
                var name = PiiTypes.ConfigName((PiiType)t);
                taskStats.Add("pii." + name, _counts[t]);
                taskStats.Add("docs_with." + name, _docs[t]);
            }
        }
    }
}
