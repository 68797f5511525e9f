using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

public sealed class ByteLevelBpeTrainerTests
{
    private static ByteLevelBpeModel TrainSmall(int vocabSize = 400, int maxWordTypes = 100_000)
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = vocabSize, MaxWordTypes = maxWordTypes });
        for (var i = 0; i < 20; i++) trainer.AddText(TokenizerFixtures.TrainingText);
        foreach (var text in TokenizerFixtures.RoundTrip) trainer.AddText(text);
        return trainer.Train();
    }

    [Fact]
    public void TrainedTokenizerRoundTripsEveryFixture()
    {
        var tokenizer = TrainSmall().CreateTokenizer("small");
        foreach (var text in TokenizerFixtures.RoundTrip) KnownTokenizerTests.AssertRoundTrip(tokenizer, text);
    }

    [Fact]
    public void LearnsFrequentWordsAndPlacesSpecialTokensLast()
    {
        var model = TrainSmall();
        Assert.Contains("Ġthe", model.Vocabulary.Keys); // " the" in the byte-level alphabet
        Assert.True(model.Vocabulary.Values.Max() < model.SpecialTokens[SpecialTokens.EndOfText]);
        Assert.Equal(SpecialTokens.Default.Count, model.SpecialTokens.Count);
        Assert.True(model.VocabSize <= 400);

        var tokenizer = model.CreateTokenizer("small");
        var ids = new List<int>();
        tokenizer.Encode(" the", ids);
        Assert.Single(ids);
        ids.Clear();
        tokenizer.Encode("<|user|>hi<|end|>", ids);
        Assert.Equal(model.SpecialTokens[SpecialTokens.User], ids[0]);
        Assert.Equal(model.SpecialTokens[SpecialTokens.End], ids[^1]);
        ids.Clear();
        tokenizer.EncodeOrdinary("<|user|>hi<|end|>", ids);
        Assert.DoesNotContain(ids, id => model.SpecialTokens.Values.Contains(id));
        Assert.Equal("<|user|>hi<|end|>", tokenizer.Decode(ids));
    }

    [Fact]
    public void TokenizerJsonRoundTripsAndTrainingIsDeterministic()
    {
        var json = HuggingFaceTokenizerJson.Write(TrainSmall());
        Assert.Equal(json, HuggingFaceTokenizerJson.Write(TrainSmall()));
        var reloaded = HuggingFaceTokenizerJson.Read(json, "small.json");
        Assert.Equal(json, HuggingFaceTokenizerJson.Write(reloaded));

        var original = TrainSmall().CreateTokenizer("a");
        var loaded = TokenizerFiles.FromJson(json, "small.json");
        foreach (var text in TokenizerFixtures.RoundTrip)
        {
            List<int> a = [], b = [];
            original.Encode(text, a);
            loaded.Encode(text, b);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void CappedWordDictionaryDropsRareWordsAndStillTrains()
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 300, MaxWordTypes = 1000 });
        for (var i = 0; i < 5000; i++) trainer.AddText($"common words here w{i * 7919 % 100_003} ");
        Assert.True(trainer.PrunedWordTypes > 0);
        Assert.True(trainer.WordTypes <= 1000 + 4);
        var tokenizer = trainer.Train().CreateTokenizer("capped");
        KnownTokenizerTests.AssertRoundTrip(tokenizer, "common words here w123 and something unseen: 漢字");
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentException>(() => new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 200 }));
        Assert.Throws<ArgumentException>(() => new ByteLevelBpeTrainer(new BpeTrainerOptions { SpecialTokens = ["<|user|>"] }));
        Assert.ThrowsAny<ArgumentException>(() => new ByteLevelBpeTrainer(new BpeTrainerOptions { PreTokenizerPattern = "(" }));
    }

    [Fact]
    public void CustomPatternIsWrittenToAndReadFromTokenizerJson()
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 300, PreTokenizerPattern = PreTokenizerPatterns.Cl100k });
        trainer.AddText(TokenizerFixtures.TrainingText + " 1234567 ");
        var json = HuggingFaceTokenizerJson.Write(trainer.Train());
        Assert.Equal(PreTokenizerPatterns.Cl100k, HuggingFaceTokenizerJson.Read(json, "t.json").PreTokenizerPattern);
    }

    [Fact]
    public void TrainedModelEncodesThroughTiktokenWithTheSameIdsAsBpe()
    {
        // Ours by tiktoken's rank rule against Microsoft.ML.Tokenizers' BPE over the merges (a different algorithm and code base).
        var model = TrainSmall();
        var fast = model.CreateTokenizer("fast");
        var bpe = model.CreateLibraryTokenizer("bpe", allowTiktoken: false);
        Assert.True(fast.MergesByRank);
        Assert.IsType<Microsoft.ML.Tokenizers.BpeTokenizer>(bpe.Inner);
        foreach (var text in TokenizerFixtures.RoundTrip.Append(TokenizerFixtures.TrainingText).Append("<|user|>hi<|end|> 12345 don't"))
        {
            List<int> a = [], b = [];
            fast.Encode(text, a);
            bpe.Encode(text, b);
            Assert.Equal(b, a);
            Assert.Equal(text, fast.Decode(a));
        }
    }

    [Fact]
    public void MergesThatDisagreeWithTheRankRuleFallBackToBpe()
    {
        // "abc" is built as a + bc although ab ranks first: tiktoken's rule would split it ab + c, so the BPE encoder is kept.
        var vocabulary = Enumerable.Range(0, 256).ToDictionary(b => ByteLevelAlphabet.CharOf((byte)b).ToString(), b => b);
        vocabulary["ab"] = 256;
        vocabulary["bc"] = 257;
        vocabulary["abc"] = 258;
        var model = new ByteLevelBpeModel(vocabulary, [new BpeMerge("a", "b"), new BpeMerge("b", "c"), new BpeMerge("a", "bc")],
            new Dictionary<string, int> { [SpecialTokens.EndOfText] = 259 }, PreTokenizerPatterns.Gpt2);
        Assert.False(model.CreateTokenizer("x").MergesByRank);
        Assert.IsType<Microsoft.ML.Tokenizers.BpeTokenizer>(model.CreateLibraryTokenizer("x").Inner);
        // By the merges, "abc" is ab + c (no merge joins ab and c); by the rank rule it would be the token abc itself.
        List<int> ids = [];
        model.CreateTokenizer("x").Encode("abc", ids);
        Assert.Equal(new[] { 256, (int)'c' }, ids);
    }
}
