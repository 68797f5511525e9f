using DataFlow.Text.Chat;

namespace DataFlow.Tests.Chat;

public class PreferenceRecordParserTests
{
    [Fact]
    public void Prompt_chosen_rejected_becomes_two_single_turn_conversations()
    {
        var pair = PreferenceRecordParser.Parse("""{"prompt":"What is 2 + 2?","chosen":"4","rejected":"5"}""").Pair!;
        Assert.Equal("4", pair.Chosen.Messages[^1].Content);
        Assert.Equal("5", pair.Rejected.Messages[^1].Content);
        Assert.Equal(pair.Chosen.Messages[0], pair.Rejected.Messages[0]);
    }

    [Fact]
    public void Hh_dialogues_are_split_into_turns()
    {
        var json = """{"chosen":"\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how?\n\nAssistant: fine","rejected":"\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how?\n\nAssistant: go away"}""";
        var pair = PreferenceRecordParser.Parse(json).Pair!;
        Assert.Equal([ChatRole.User, ChatRole.Assistant, ChatRole.User, ChatRole.Assistant], pair.Chosen.Messages.Select(m => m.Role));
        Assert.Equal("how?", pair.Chosen.Messages[2].Content);
        Assert.Equal("go away", pair.Rejected.Messages[^1].Content);
    }

    [Theory]
    [InlineData("""{"chosen":"x"}""", "missing field 'rejected'")]
    [InlineData("""{"chosen":"no markers","rejected":"\n\nHuman: a\n\nAssistant: b"}""", "dialogue does not follow")]
    [InlineData("""{"chosen":"\n\nHuman: a","rejected":"\n\nHuman: a\n\nAssistant: b"}""", "dialogue does not follow")]
    [InlineData("""{"prompt":"p","chosen":"","rejected":"b"}""", "empty chosen")]
    public void Bad_preference_records_name_their_problem(string json, string problem) =>
        Assert.Contains(problem, PreferenceRecordParser.Parse(json).Problem);

    [Fact]
    public void Every_hh_harmless_test_pair_parses()
    {
        var path = "/work/shared/data/preference/hh-rlhf-harmless-base-test.jsonl.gz";
        var shared = Environment.GetEnvironmentVariable("DATAFLOW_SHARED");
        if (shared is not null) path = Path.Combine(shared, "data/preference/hh-rlhf-harmless-base-test.jsonl.gz");
        if (!File.Exists(path))
        {
            Console.WriteLine($"skipped: {path} not found (set DATAFLOW_SHARED)");
            return;
        }
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
        var (parsed, bad) = (0, 0);
        while (reader.ReadLine() is { } line)
        {
            if (PreferenceRecordParser.Parse(line).Pair is null) bad++;
            else parsed++;
        }
        Assert.Equal(2312, parsed + bad);
        Assert.True(bad < 10, $"{bad} HH pairs failed to parse");
    }
}
