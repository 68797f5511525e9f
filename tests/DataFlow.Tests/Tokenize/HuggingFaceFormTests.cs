using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using Xunit;

namespace DataFlow.Tests.Tokenize;

/// <summary>
/// Every vocabulary the chain can train on has a Hugging Face tokenizer.json form (what model folders carry and what
/// export hands to other tools). The reference is the encoder each name is defined by (Microsoft.ML.Tokenizers' tiktoken for
/// gpt2, cl100k_base and o200k_base; the byte layout for bytes); the check encodes through the written merges with our
/// encoder's merge rule, a different algorithm from tiktoken's rank lookup.
/// </summary>
public class HuggingFaceFormTests
{
    private static IEnumerable<string> Texts() => TokenizerFixtures.RoundTrip.Append(TokenizerFixtures.TrainingText).Append(
        "fn main() { let v: Vec<u32> = (0..10).collect(); println!(\"{v:?}\"); } // 12345 678\n" +
        "SELECT id, text FROM 'runs/*.parquet' WHERE len(text) > 3;\r\n  HTTPServer's URLs weren't ASCII-only: ÄÖÜ straße\n");

    [Theory]
    [InlineData("gpt2")]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    [InlineData("bytes")]
    public void The_tokenizer_json_form_encodes_like_the_named_encoder(string name)
    {
        var reference = KnownTokenizers.IsKnown(name) ? KnownTokenizers.LoadLibrary(name) : TokenizerFiles.Load(name);
        var model = TokenizerFiles.ByteLevelModel(name)!;
        Assert.Equal(reference.VocabSize, model.VocabSize);
        var json = HuggingFaceTokenizerJson.Write(model);
        var viaMerges = HuggingFaceTokenizerJson.Read(json, $"{name}.json").CreateTokenizer(name, allowTiktoken: false);
        foreach (var text in Texts())
        {
            List<int> expected = [], actual = [];
            reference.EncodeOrdinary(text, expected);
            viaMerges.EncodeOrdinary(text, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Chat_tokens_a_vocabulary_lacks_are_added_special_tokens_after_its_base()
    {
        var tokenizer = ChatTokenizer.Load("gpt2");
        var model = HuggingFaceTokenizerJson.Read(tokenizer.HuggingFaceJson()!, "gpt2-chat.json");
        Assert.Equal(50256, model.SpecialTokens[SpecialTokens.EndOfText]); // GPT-2's own
        Assert.Equal(50257, model.SpecialTokens[SpecialTokens.Pad]);       // added, in SpecialTokens.Default order
        Assert.Equal(50261, model.SpecialTokens[SpecialTokens.End]);
        Assert.Equal(tokenizer.VocabSize, model.VocabSize);

        // Read back as a model folder does (base vocabulary ends at 50,257): the same ids, the same chat tokens.
        var file = Path.Combine(Path.GetTempPath(), $"df-hf-form-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, tokenizer.HuggingFaceJson());
        try
        {
            var reloaded = ChatTokenizer.Load(file, tokenizer.BaseVocabSize);
            Assert.Equal(tokenizer.BaseVocabSize, reloaded.BaseVocabSize);
            Assert.Equal(tokenizer.ChatTokens, reloaded.ChatTokens);
            List<int> expected = [], actual = [];
            tokenizer.Encode(TokenizerFixtures.RoundTrip[3], expected);
            reloaded.Encode(TokenizerFixtures.RoundTrip[3], actual);
            Assert.Equal(expected, actual);
        }
        finally { File.Delete(file); }
    }
}
