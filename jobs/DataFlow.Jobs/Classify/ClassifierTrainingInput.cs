using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DataFlow.Engine.Documents;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs.Classify;

/// <summary>
/// Labelled text for <c>dataflow classifier train|test</c>: JSONL records with a label field (a string or an array of
/// strings) and a text field, or a text file in fastText's format (one example a line, labels as
/// <c>__label__x</c> words). A <c>.gz</c> suffix is read through gzip. Bad records stop the read with their file and line.
/// </summary>
public sealed record ClassifierTrainingInput(string Path, string LabelField = "label", string TextField = "text")
{
    /// <summary>JSONL (by the <c>.jsonl</c> / <c>.json</c> suffix, before any <c>.gz</c>) rather than fastText lines.</summary>
    public bool IsJsonLines
    {
        get
        {
            var name = Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Path[..^3] : Path;
            return name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>The lines of a fastText-format file. Only '\n' ends a line, as for fastText ('\r' is a space to it).</summary>
    public IEnumerable<string> ReadLines()
    {
        using var reader = OpenText();
        var line = new StringBuilder();
        var buffer = new char[1 << 16];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            for (int i = 0; i < read; i++)
            {
                if (buffer[i] != '\n') continue;
                line.Append(buffer, start, i - start);
                yield return line.ToString();
                line.Clear();
                start = i + 1;
            }
            line.Append(buffer, start, read - start);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    /// <summary>The examples of a JSONL file; blank lines are skipped, anything else must be an object with both fields.</summary>
    public IEnumerable<LabelledText> ReadExamples() => JsonLines().Select(l => Parse(l.Line, l.Number));

    /// <summary>Only the text field of each JSONL record (for prediction, where records need no label).</summary>
    public IEnumerable<string> ReadTexts() => JsonLines().Select(l =>
    {
        using var json = ParseObject(l.Line, l.Number);
        return TextOf(json.RootElement, l.Line, l.Number);
    });

    /// <summary>The non-blank lines of a JSONL file with their 1-based line numbers, for errors.</summary>
    private IEnumerable<(string Line, long Number)> JsonLines()
    {
        using var reader = OpenText();
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line)) yield return (line, number);
        }
    }

    private LabelledText Parse(string line, long number)
    {
        using var json = ParseObject(line, number);
        var text = TextOf(json.RootElement, line, number);
        if (!json.RootElement.TryGetProperty(LabelField, out var label))
            throw Bad(number, $"no field '{LabelField}' (the label; --label-field names another)", line);
        var labels = label.ValueKind switch
        {
            JsonValueKind.String => [label.GetString()!],
            JsonValueKind.Array when label.EnumerateArray().All(l => l.ValueKind == JsonValueKind.String) =>
                label.EnumerateArray().Select(l => l.GetString()!).ToList(),
            _ => throw Bad(number, $"field '{LabelField}' must be a string or an array of strings", line),
        };
        foreach (var l in labels)
            if (l.Length == 0 || l.Any(c => c < 128 && FastTextDictionary.IsSpace((byte)c)))
                throw Bad(number, $"label '{l}' in field '{LabelField}' is empty or holds whitespace (a fastText label is one word)", line);
        return new LabelledText(labels, text);
    }

    private JsonDocument ParseObject(string line, long number)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw Bad(number, $"not valid JSON ({e.Message})", line);
        }
        if (json.RootElement.ValueKind == JsonValueKind.Object) return json;
        json.Dispose();
        throw Bad(number, "not a JSON object", line);
    }

    private string TextOf(JsonElement record, string line, long number) =>
        record.TryGetProperty(TextField, out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : throw Bad(number, $"no string field '{TextField}' (the text; --text-field names another)", line);

    private BadInputException Bad(long line, string reason, string text) =>
        new(new Reject(Path, line, reason, text.Length > 200 ? text[..200] : text));

    private StreamReader OpenText()
    {
        Stream stream = File.OpenRead(Path);
        if (Path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }
}
