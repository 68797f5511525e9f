using System.Text;

namespace DataFlow.Engine.Documents;

/// <summary>One text file = one document; the id is the file name (the job may pass a relative path as Source).</summary>
public static class TextFileDocumentReader
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IEnumerable<Document> Read(string path, ReadOptions options, IRejectSink rejects)
    {
        string text;
        try
        {
            text = Strict.GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException e)
        {
            rejects.Reject(new Reject(path, 0, $"invalid UTF-8 at byte {e.Index}"));
            yield break;
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        yield return new Document(Path.GetFileName(path), text, options.Source ?? Path.GetFileName(Path.GetDirectoryName(path) ?? ""))
        {
            Origin = path,
        };
    }
}
