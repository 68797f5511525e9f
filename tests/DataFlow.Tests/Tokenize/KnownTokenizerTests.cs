using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

public sealed class KnownTokenizerTests
{
    // Reference ids from tiktoken's own test suite (tests/test_encoding.py, test_simple and test_simple_repeated).
    [Theory]
    [InlineData("gpt2", "hello world", new[] { 31373, 995 })]
    [InlineData("gpt2", "hello <|endoftext|>", new[] { 31373, 220, 50256 })]
    [InlineData("gpt2", "0", new[] { 15 })]
    [InlineData("gpt2", "00", new[] { 405 })]
    [InlineData("gpt2", "000", new[] { 830 })]
    [InlineData("gpt2", "0000", new[] { 2388 })]
    [InlineData("gpt2", "00000", new[] { 20483 })]
    [InlineData("cl100k_base", "hello world", new[] { 15339, 1917 })]
    [InlineData("cl100k_base", "hello <|endoftext|>", new[] { 15339, 220, 100257 })]
    [InlineData("cl100k_base", "Hello, world!", new[] { 9906, 11, 1917, 0 })]
    public void IdsMatchPublishedReferenceIds(string name, string text, int[] expected)
    {
        var tokenizer = KnownTokenizers.Load(name);
        var ids = new List<int>();
        tokenizer.Encode(text, ids);
        Assert.Equal(expected, ids);
        Assert.Equal(text, tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData("gpt2", 50257, 50256)]
    [InlineData("cl100k_base", 100277, 100257)]
    [InlineData("o200k_base", 200019, 199999)]
    public void VocabularySizeAndEndOfText(string name, int vocabSize, int endOfText)
    {
        var tokenizer = KnownTokenizers.Load(name);
        Assert.Equal(vocabSize, tokenizer.VocabSize);
        Assert.Equal(endOfText, tokenizer.EndOfTextId);
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void EveryFixtureRoundTrips(string name)
    {
        var tokenizer = KnownTokenizers.Load(name);
        foreach (var text in TokenizerFixtures.RoundTrip) AssertRoundTrip(tokenizer, text);
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("cl100k_base")]
    public void OrdinaryEncodingNeverProducesSpecialIdsFromText(string name)
    {
        var tokenizer = KnownTokenizers.Load(name);
        const string text = "quote: <|endoftext|> and <|endoftext|><|endoftext|>, <|fim_prefix|> end";
        List<int> special = [], ordinary = [];
        tokenizer.Encode(text, special);
        tokenizer.EncodeOrdinary(text, ordinary);
        Assert.Contains(tokenizer.EndOfTextId, special);
        Assert.DoesNotContain(tokenizer.EndOfTextId, ordinary);
        Assert.All(ordinary, id => Assert.True(id < tokenizer.EndOfTextId || name != "gpt2"));
        Assert.Equal(text, tokenizer.Decode(ordinary));
        List<int> plain = [], plainOrdinary = [];
        tokenizer.Encode("no specials here", plain);
        tokenizer.EncodeOrdinary("no specials here", plainOrdinary);
        Assert.Equal(plain, plainOrdinary);
    }

    [Fact]
    public void UnknownNamesAreRejectedWithTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => KnownTokenizers.Load("gpt5"));
        Assert.Contains("cl100k_base", error.Message);
    }

    [Fact]
    public void Gpt2ExportedAsTokenizerJsonEncodesLikeTiktoken()
    {
        var tiktoken = KnownTokenizers.LoadLibrary(KnownTokenizers.Gpt2); // Microsoft.ML.Tokenizers' tiktoken, the reference
        var model = ByteLevelBpeModel.FromTiktokenRanks(KnownTokenizers.Ranks(KnownTokenizers.Gpt2),
            new Dictionary<string, int> { [SpecialTokens.EndOfText] = 50256 }, PreTokenizerPatterns.Gpt2);
        Assert.Equal(50000, model.Merges.Count);
        Assert.Equal(new BpeMerge("Ġ", "t"), model.Merges[0]); // GPT-2's first merge
        var json = HuggingFaceTokenizerJson.Write(model);
        var loaded = TokenizerFiles.FromJson(json, "gpt2-tokenizer.json");
        var bpe = HuggingFaceTokenizerJson.Read(json, "gpt2-tokenizer.json").CreateTokenizer("gpt2-bpe", allowTiktoken: false);
        Assert.False(bpe.MergesByRank);
        Assert.Equal(50257, loaded.VocabSize);
        foreach (var text in TokenizerFixtures.RoundTrip.Append(TokenizerFixtures.TrainingText))
        {
            List<int> expected = [], actual = [], viaBpe = [];
            tiktoken.Encode(text, expected);
            loaded.Encode(text, actual);
            bpe.Encode(text, viaBpe);
            Assert.Equal(expected, actual);
            Assert.Equal(expected, viaBpe);
        }
    }

    internal static void AssertRoundTrip(ITextTokenizer tokenizer, string text)
    {
        var ids = new List<int>();
        tokenizer.Encode(text, ids);
        Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabSize - 1));
        Assert.Equal(text, tokenizer.Decode(ids));
    }
}
