using System.Text;
using DataFlow.Engine.Documents;

namespace DataFlow.Tokenize.Bench;

/// <summary>Streams document texts from corpus files up to a byte budget, without holding them.</summary>
internal static class StreamingCorpus
{
    /// <summary>Documents of <paramref name="paths"/> in order, skipping the first <paramref name="skipBytes"/> (whole documents), then up to <paramref name="maxBytes"/>.</summary>
    public static IEnumerable<string> Read(IReadOnlyList<string> paths, long skipBytes, long maxBytes)
    {
        long skipped = 0, bytes = 0;
        foreach (var path in paths)
        {
            foreach (var doc in DocumentSources.Read(path, new ReadOptions { KeepMetadata = false }, new SkippingRejects()))
            {
                var size = Encoding.UTF8.GetByteCount(doc.Text);
                if (skipped < skipBytes)
                {
                    skipped += size;
                    continue;
                }
                if (bytes >= maxBytes) yield break;
                bytes += size;
                yield return doc.Text;
            }
        }
    }

    private sealed class SkippingRejects : IRejectSink
    {
        public void Reject(Reject reject) { }
    }
}
