using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Web;

namespace DataFlow.Jobs.Extract;

/// <summary>
/// The extract stage: each document's text is HTML (a web-archive page, or an HTML field of JSONL / Parquet); it
/// becomes the page's main text (<see cref="HtmlTextExtractor"/>), with the page's <c>title</c> and <c>html_lang</c>
/// as columns. Pages left with fewer than <paramref name="minTextLength"/> characters are dropped
/// (<c>extract.too_short</c>; <c>extract.no_text</c> when nothing is left). Counters: <c>extract.with_title</c>,
/// <c>extract.with_lang</c>; the stage's <c>bytes_in</c> / <c>bytes_out</c> are the HTML read and the text kept.
/// </summary>
public sealed class ExtractJob(DocumentStageOptions options, HtmlExtractionOptions extraction, int minTextLength) : DocumentStageJob(options)
{
    protected override IReadOnlyList<ExtraColumn> AddedColumns { get; } = [ExtraColumn.String("title"), ExtraColumn.String("html_lang")];

    protected override IDocumentProcessor CreateProcessor(TaskContext context) => new Processor(new HtmlTextExtractor(extraction), minTextLength);

    private sealed class Processor(HtmlTextExtractor extractor, int minTextLength) : IDocumentProcessor
    {
        private long _titles, _langs;

        public DocumentVerdict Process(Document document)
        {
            var page = extractor.Extract(document.Text);
            document.Text = page.Text;
            document["title"] = page.Title;
            document["html_lang"] = page.Language;
            if (page.Title is not null) _titles++;
            if (page.Language is not null) _langs++;
            if (page.Text.Length == 0) return DocumentVerdict.Drop("extract.no_text");
            if (page.Text.Length < minTextLength) return DocumentVerdict.Drop("extract.too_short");
            return DocumentVerdict.Keep;
        }

        public void Complete(TaskStats stats)
        {
            stats.Add("extract.with_title", _titles);
            stats.Add("extract.with_lang", _langs);
        }
    }
}
