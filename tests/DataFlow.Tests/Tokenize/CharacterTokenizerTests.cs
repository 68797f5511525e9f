using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

public sealed class CharacterTokenizerTests
{
    [Fact]
    public void RoundTripsSeenTextAndSavesAsJson()
    {
        var tokenizer = CharacterTokenizer.Train(TokenizerFixtures.RoundTrip);
        foreach (var text in TokenizerFixtures.RoundTrip) KnownTokenizerTests.AssertRoundTrip(tokenizer, text);

        var loaded = TokenizerFiles.FromJson(tokenizer.ToJson(), "char.json");
        Assert.Equal(tokenizer.VocabSize, loaded.VocabSize);
        Assert.Equal(tokenizer.EndOfTextId, loaded.EndOfTextId);
        List<int> a = [], b = [];
        tokenizer.Encode(TokenizerFixtures.RoundTrip[6], a);
        loaded.Encode(TokenizerFixtures.RoundTrip[6], b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void OneIdPerCharacterInCodePointOrderAndUnknownsMarked()
    {
        var tokenizer = CharacterTokenizer.Train(["ba👍"]);
        var ids = new List<int>();
        tokenizer.Encode("ab👍z", ids);
        Assert.Equal([0, 1, 2, tokenizer.SpecialTokenIds[CharacterTokenizer.Unknown]], ids);
        Assert.Equal("ab👍\uFFFD", tokenizer.Decode(ids));
    }
}
