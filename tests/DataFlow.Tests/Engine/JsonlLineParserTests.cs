using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataFlow.Engine.Documents;

namespace DataFlow.Tests.Engine;

/// <summary>The hand-written JSONL line parser against System.Text.Json's JsonDocument on the same lines.</summary>
public class JsonlLineParserTests
{
    private static readonly string[] Pieces =
        ["plain", " ", "\n", "\r\n", "\t", "\"q\"", "\\", "/", "é", "中文", "🙂", "\u0001", "\u007f", "\u2028", "</script>", "{}[],:"];

    private const string MutationBytes = "{}[]\",:\\u0aZ \t";

    private static JsonlLineParser Parser(ReadOptions? options = null) => new(options ?? ReadOptions.Default, "in.jsonl", "in.jsonl", "in");

    [Fact]
    public void Valid_lines_give_the_same_text_id_and_metadata_as_JsonDocument()
    {
        var random = new Random(11);
        var parser = Parser();
        var escapers = new[] { JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (var i = 0; i < 3000; i++)
        {
            var line = RandomLine(random, escapers[i % 2]);
            var doc = parser.Parse(line, i + 1, out var problem);
            Assert.True(doc is not null, $"{problem}: {Encoding.UTF8.GetString(line)}");
            AssertSameAsJsonDocument(line, doc, i + 1);
        }
    }

    [Fact]
    public void Mutated_lines_are_rejected_exactly_when_JsonDocument_rejects_them()
    {
        var random = new Random(12);
        var parser = Parser();
        var rejected = 0;
        for (var i = 0; i < 20000; i++)
        {
            var line = RandomLine(random, JavaScriptEncoder.Default).ToList();
            for (var m = random.Next(1, 3); m > 0; m--)
            {
                var at = random.Next(line.Count + 1);
                if (random.Next(2) == 0 && at < line.Count) line.RemoveAt(at);
                else line.Insert(at, (byte)MutationBytes[random.Next(MutationBytes.Length)]);
            }
            var bytes = line.ToArray();
            var doc = parser.Parse(bytes, i + 1, out var problem);
            var expectedOk = ReferenceAccepts(bytes);
            Assert.True(expectedOk == doc is not null, $"reference {(expectedOk ? "accepts" : "rejects")}, parser: {problem ?? "accepted"}: {Encoding.UTF8.GetString(bytes)}");
            if (doc is null) rejected++;
            else AssertSameAsJsonDocument(bytes, doc, i + 1);
        }
        Assert.InRange(rejected, 5000, 19000); // the mutations do hit both sides
    }

    [Fact]
    public void A_special_byte_is_found_at_every_offset_of_the_vectorized_scan()
    {
        // Escapes, raw control bytes (invalid in a JSON string) and bytes that only look near them (space, DEL,
        // UTF-8 lead and continuation bytes), at every position of strings spanning several 16- and 32-byte blocks.
        string[] specials = ["\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude42", "\u0000", "\u0001", "\u001f", "\t", " ", "\u007f", "é", "\u2028", "🙂"];
        var parser = Parser();
        var lineNumber = 0;
        foreach (var special in specials)
        {
            for (var length = 0; length <= 70; length++)
            {
                for (var at = 0; at <= length; at++)
                {
                    var text = new string('a', at) + special + new string('b', length - at) + (length % 3 == 0 ? special : "");
                    var line = Encoding.UTF8.GetBytes("{\"text\":\"" + text + "\",\"id\":\"x" + text + "\"}");
                    var doc = parser.Parse(line, ++lineNumber, out var problem);
                    Assert.True(ReferenceAccepts(line) == doc is not null, $"{problem ?? "accepted"}: {Encoding.UTF8.GetString(line)}");
                    if (doc is not null) AssertSameAsJsonDocument(line, doc, lineNumber);
                    else Assert.Contains("control character", problem);
                }
            }
        }
    }

    [Theory]
    [InlineData("{\"text\":\"a \\ud800 b\"}", "half a surrogate pair")]
    [InlineData("{\"text\":\"a \\udc00\"}", "half a surrogate pair")]
    [InlineData("{\"text\":\"a \\x\"}", "invalid escape")]
    [InlineData("{\"text\":\"a \\u12\"}", "\\u escape")]
    [InlineData("{\"text\":\"open", "unterminated string")]
    [InlineData("{\"text\":\"a\" \"id\":\"b\"}", "expected ',' or '}'")]
    [InlineData("{\"text\":\"a\",}", "expected a property name")]
    [InlineData("{\"meta\":[1,2,,3],\"text\":\"a\"}", "broken JSON")]
    public void Broken_lines_name_what_is_wrong(string line, string reason)
    {
        var doc = Parser().Parse(Encoding.UTF8.GetBytes(line), 1, out var problem);
        Assert.Null(doc);
        Assert.StartsWith("broken JSON", problem);
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void Text_stays_utf8_until_a_stage_reads_it()
    {
        var doc = Parser().Parse("{\"id\":42,\"text\":\"caf\\u00e9 \\ud83d\\ude42\\n\",\"tags\":[\"a\",{\"b\":null}]}"u8, 3, out _)!;
        Assert.True(doc.TryGetUtf8Text(out var utf8));
        Assert.Equal("café 🙂\n"u8.ToArray(), utf8.ToArray());
        Assert.Equal(11, doc.TextUtf8Length);
        Assert.Equal("42", doc.Id);
        Assert.Equal("{\"tags\":[\"a\",{\"b\":null}]}", doc.Metadata);
        Assert.Equal("café 🙂\n", doc.Text);
        doc.Text = "changed";
        Assert.False(doc.TryGetUtf8Text(out _));
        Assert.Equal(7, doc.TextUtf8Length);
    }

    [Fact]
    public void A_byte_order_mark_on_the_first_line_is_skipped()
    {
        using var dir = new TempDir();
        var path = dir.File("bom.jsonl");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "{\"text\":\"one\"}\n{\"text\":\"two\"}\n"u8]);
        var rejects = new CollectingRejects();
        var docs = JsonlDocumentReader.Read(path, ReadOptions.Default, rejects).ToList();
        Assert.Equal(["one", "two"], docs.Select(d => d.Text));
        Assert.Empty(rejects.Items);
    }

    private static byte[] RandomLine(Random random, JavaScriptEncoder encoder)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            writer.WriteStartObject();
            var fields = Enumerable.Range(0, random.Next(0, 4)).Select(i => $"f{i}").Append("text").ToList();
            if (random.Next(4) > 0) fields.Add("id");
            foreach (var name in fields.OrderBy(_ => random.Next()))
            {
                if (name == "text") writer.WriteString("text", RandomText(random));
                else if (name == "id" && random.Next(3) == 0) writer.WriteNumber("id", random.Next(-5, 100000));
                else if (name == "id") writer.WriteString("id", RandomText(random));
                else WriteRandomValue(writer, name, random, 0);
            }
            writer.WriteEndObject();
        }
        var json = Encoding.UTF8.GetString(buffer.ToArray());
        // Whitespace JsonDocument accepts between tokens, as hand-written files have it.
        return Encoding.UTF8.GetBytes(random.Next(3) == 0 ? json.Replace("\":", "\" : ").Replace(",\"", ", \"") : json);
    }

    private static void WriteRandomValue(Utf8JsonWriter writer, string name, Random random, int depth)
    {
        writer.WritePropertyName(name);
        WriteRandomValue(writer, random, depth);
    }

    private static void WriteRandomValue(Utf8JsonWriter writer, Random random, int depth)
    {
        switch (random.Next(depth > 2 ? 4 : 6))
        {
            case 0: writer.WriteStringValue(RandomText(random)); break;
            case 1: writer.WriteNumberValue(random.NextDouble() * 1e6 - 5e5); break;
            case 2: writer.WriteBooleanValue(random.Next(2) == 0); break;
            case 3: writer.WriteNullValue(); break;
            case 4:
                writer.WriteStartArray();
                for (var i = random.Next(3); i > 0; i--) WriteRandomValue(writer, random, depth + 1);
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartObject();
                for (var i = random.Next(3); i > 0; i--) WriteRandomValue(writer, $"k{i}", random, depth + 1);
                writer.WriteEndObject();
                break;
        }
    }

    private static string RandomText(Random random) =>
        string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => Pieces[random.Next(Pieces.Length)]));

    /// <summary>What a document needs: a JSON object whose text (and string id, if any) decode to valid Unicode.</summary>
    private static bool ReferenceAccepts(byte[] line)
    {
        try
        {
            using var json = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return false;
            var texts = root.EnumerateObject().Where(p => p.Name == "text").ToList();
            if (texts.Count == 0 || texts[^1].Value.ValueKind != JsonValueKind.String) return false;
            foreach (var p in root.EnumerateObject().Where(p => p.Name is "text" or "id" && p.Value.ValueKind == JsonValueKind.String)) p.Value.GetString();
            foreach (var p in root.EnumerateObject()) _ = p.Name;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void AssertSameAsJsonDocument(byte[] line, Document doc, long lineNumber)
    {
        using var json = JsonDocument.Parse(line);
        var properties = json.RootElement.EnumerateObject().ToList();
        Assert.Equal(properties.Last(p => p.Name == "text").Value.GetString(), doc.Text);
        var id = properties.LastOrDefault(p => p.Name == "id").Value;
        var expectedId = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
        Assert.Equal(string.IsNullOrEmpty(expectedId) ? $"in:{lineNumber}" : expectedId, doc.Id);
        var expectedMetadata = properties.Where(p => p.Name is not ("text" or "id")).Select(p => (p.Name, p.Value.GetRawText())).ToList();
        using var metadata = JsonDocument.Parse(doc.Metadata);
        Assert.Equal(expectedMetadata, metadata.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetRawText())).ToList());
    }
}
