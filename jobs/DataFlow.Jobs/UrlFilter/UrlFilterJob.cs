using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Web;

namespace DataFlow.Jobs.UrlFilter;

/// <summary>
/// The url_filter stage: keeps or drops each document by its URL (<see cref="Text.Web.UrlFilter"/>), reading the URL
/// from the <paramref name="urlColumn"/> column (web-archive input has it) or, failing that, the same key in the
/// document's metadata JSON (JSONL input with a url field). Drops are <c>url_filter.REASON</c>; a document without a
/// URL is <c>url_filter.no_url</c>. Counter <c>url_filter.checked</c>.
/// </summary>
public sealed class UrlFilterJob(DocumentStageOptions options, UrlFilterLists lists, string urlColumn) : DocumentStageJob(options)
{
    protected override IDocumentProcessor CreateProcessor(TaskContext context) => new Processor(new Text.Web.UrlFilter(lists), urlColumn);

    private sealed class Processor(Text.Web.UrlFilter filter, string urlColumn) : IDocumentProcessor
    {
        private long _checked;

        public DocumentVerdict Process(Document document)
        {
            var url = document[urlColumn] as string ?? FromMetadata(document.Metadata, urlColumn);
            if (string.IsNullOrWhiteSpace(url)) return DocumentVerdict.Drop("url_filter.no_url");
            _checked++;
            return filter.Check(url) is { } reason ? DocumentVerdict.Drop("url_filter." + reason) : DocumentVerdict.Keep;
        }

        public void Complete(TaskStats stats) => stats.Add("url_filter.checked", _checked);

        private static string? FromMetadata(string metadata, string key)
        {
            if (metadata.Length < key.Length + 4 || !metadata.Contains(key, StringComparison.Ordinal)) return null;
            try
            {
                using var json = JsonDocument.Parse(metadata);
                return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(key, out var v)
                    && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}
