using DataFlow.Text.Tokenization;

namespace DataFlow.Tests.Tokenize;

/// <summary>
/// Our encoder against two independent ones on the same vocabularies: Hugging Face tokenizers (Rust, through
/// Tokenizers.DotNet) reading the same tokenizer.json, and Microsoft.ML.Tokenizers, the encoder the stage used before.
/// </summary>
public sealed class ByteLevelBpeEncoderTests
{
    public static TheoryData<string> Vocabularies => ["gpt2", "cl100k_base", "o200k_base", "trained-cl100k", "trained-gpt2"];

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Ids_equal_Hugging_Face_tokenizers_reading_the_same_tokenizer_json(string vocabulary)
    {
        var model = Model(vocabulary);
        var file = Path.Combine(Path.GetTempPath(), $"df-encoder-{vocabulary}-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, HuggingFaceTokenizerJson.Write(model));
        try
        {
            var hf = new Tokenizers.DotNet.Tokenizer(file);
            // Both of our rules: the one the model loads with (tiktoken's for these vocabularies) and the listed merges.
            ITextTokenizer[] ours = [Ours(vocabulary, model), model.CreateTokenizer(vocabulary, allowTiktoken: false)];
            // Letters outside the BMP are left out here: .NET's regex classes UTF-16 halves (not letters), Rust's regex code points.
            // So are lone surrogates, which HF tokenizers rejects ("Invalid UTF-16 text string").
            // Texts with special tokens are compared too: cl100k's and o200k's leave gaps before them, which HF must not close up.
            var texts = EncoderFuzzTexts.EdgeCases().Concat(EncoderFuzzTexts.Random(1500, seed: 11, loneSurrogates: false, supplementaryLetters: false));
            foreach (var text in texts)
            {
                var expected = Array.ConvertAll(hf.Encode(text), id => (int)id);
                foreach (var encoder in ours)
                {
                    List<int> actual = [];
                    encoder.Encode(text, actual);
                    Assert.True(expected.AsSpan().SequenceEqual(actual.ToArray()), $"{vocabulary}: ids differ from HF tokenizers for '{Escaped(text)}': {string.Join(" ", expected)} vs ours {string.Join(" ", actual)}");
                }
            }
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("gpt2")]
    [InlineData("cl100k_base")]
    [InlineData("o200k_base")]
    public void Hugging_Face_tokenizers_reads_every_special_token_of_the_written_file_at_its_tiktoken_id(string vocabulary)
    {
        // The ids tiktoken publishes (openai_public.py, as Microsoft.ML.Tokenizers ships them), not the file's own numbers.
        var published = ((Microsoft.ML.Tokenizers.TiktokenTokenizer)KnownTokenizers.LoadLibrary(vocabulary).Inner).SpecialTokens!;
        var file = Path.Combine(Path.GetTempPath(), $"df-specials-{vocabulary}-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, HuggingFaceTokenizerJson.Write(KnownTokenizers.ByteLevelModel(vocabulary)));
        try
        {
            var hf = new Tokenizers.DotNet.Tokenizer(file);
            var loaded = TokenizerFiles.Load(file);
            foreach (var (token, id) in published)
            {
                Assert.Equal([(uint)id], hf.Encode(token));
                List<int> ours = [];
                loaded.Encode(token, ours);
                Assert.Equal([id], ours);
            }
            var text = $"a{string.Concat(published.Keys)} b";
            List<int> expected = [];
            KnownTokenizers.LoadLibrary(vocabulary).Encode(text, expected);
            Assert.Equal(expected, hf.Encode(text).Select(id => (int)id));
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Ids_equal_Microsoft_ML_Tokenizers_the_encoder_used_before(string vocabulary)
    {
        var model = Model(vocabulary);
        var ours = Ours(vocabulary, model);
        var before = KnownTokenizers.IsKnown(vocabulary) ? KnownTokenizers.LoadLibrary(vocabulary) : model.CreateLibraryTokenizer(vocabulary);
        var oursByMerges = model.CreateTokenizer(vocabulary, allowTiktoken: false);
        var beforeByMerges = model.CreateLibraryTokenizer(vocabulary, allowTiktoken: false);
        Assert.Equal(before.VocabSize, ours.VocabSize);
        Assert.Equal(before.EndOfTextId, ours.EndOfTextId);
        Assert.Equal(before.PadId, ours.PadId);
        foreach (var text in EncoderFuzzTexts.EdgeCases().Concat(EncoderFuzzTexts.Random(1500, seed: 13, loneSurrogates: true, supplementaryLetters: true)))
        {
            foreach (var (mine, theirs) in new[] { (ours, (ITextTokenizer)before), (oursByMerges, beforeByMerges) })
            {
                List<int> expected = [], actual = [], expectedOrdinary = [], actualOrdinary = [];
                theirs.Encode(text, expected);
                mine.Encode(text, actual);
                theirs.EncodeOrdinary(text, expectedOrdinary);
                mine.EncodeOrdinary(text, actualOrdinary);
                Assert.True(expected.SequenceEqual(actual), $"{vocabulary}: Encode differs from Microsoft.ML.Tokenizers for '{Escaped(text)}': {string.Join(" ", expected)} vs ours {string.Join(" ", actual)}");
                Assert.True(expectedOrdinary.SequenceEqual(actualOrdinary), $"{vocabulary}: EncodeOrdinary differs from Microsoft.ML.Tokenizers for '{text}'");
                Assert.Equal(theirs.Decode(expected), mine.Decode(actual));
            }
        }
    }

    [Fact]
    public void Threads_sharing_one_encoder_get_the_ids_one_thread_gets()
    {
        var encoder = KnownTokenizers.Load(KnownTokenizers.Gpt2);
        var texts = EncoderFuzzTexts.Random(400, seed: 17, loneSurrogates: false, supplementaryLetters: false).ToArray();
        var expected = texts.Select(t => { List<int> ids = []; KnownTokenizers.LoadLibrary(KnownTokenizers.Gpt2).Encode(t, ids); return ids; }).ToArray();
        var results = new List<int>[texts.Length * 4];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            List<int> ids = [];
            encoder.Encode(texts[i % texts.Length], ids);
            results[i] = ids;
        });
        for (var i = 0; i < results.Length; i++) Assert.Equal(expected[i % texts.Length], results[i]);
    }

    [Fact]
    public void A_piece_cache_that_fills_up_starts_over_and_the_ids_stay_the_same()
    {
        // 300,000 distinct words (four letters a-z, in a scrambled order) overflow the 262,144-piece cache once per pass.
        var words = Enumerable.Range(0, 300_000).Select(i => (int)((i * 2654435761L) % 456_976))
            .Select(n => string.Concat(Enumerable.Range(0, 4).Select(k => (char)('a' + n / (int)Math.Pow(26, k) % 26))));
        var text = " " + string.Join(" ", words);
        List<int> expected = [], first = [], second = [];
        KnownTokenizers.LoadLibrary(KnownTokenizers.Gpt2).Encode(text, expected);
        var ours = KnownTokenizers.Load(KnownTokenizers.Gpt2);
        ours.Encode(text, first);
        ours.Encode(text, second);
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
    }

    [Fact]
    public void Known_special_tokens_are_those_Microsoft_ML_Tokenizers_ships()
    {
        foreach (var name in KnownTokenizers.Names)
        {
            var shipped = ((Microsoft.ML.Tokenizers.TiktokenTokenizer)KnownTokenizers.LoadLibrary(name).Inner).SpecialTokens!;
            Assert.Equal(shipped.OrderBy(t => t.Value), KnownTokenizers.SpecialTokensOf(name).OrderBy(t => t.Value));
        }
    }

    private static string Escaped(string text) => string.Concat(text.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:X4}"));

    private static ITextTokenizer Ours(string vocabulary, ByteLevelBpeModel model) =>
        KnownTokenizers.IsKnown(vocabulary) ? KnownTokenizers.Load(vocabulary) : model.CreateTokenizer(vocabulary);

    private static readonly Dictionary<string, ByteLevelBpeModel> Models = [];

    private static ByteLevelBpeModel Model(string vocabulary)
    {
        lock (Models)
        {
            if (Models.TryGetValue(vocabulary, out var cached)) return cached;
            var model = vocabulary switch
            {
                "trained-cl100k" => Trained(PreTokenizerPatterns.Cl100k),
                "trained-gpt2" => Trained(PreTokenizerPatterns.Gpt2),
                _ => KnownTokenizers.ByteLevelModel(vocabulary),
            };
            return Models[vocabulary] = model;
        }
    }

    private static ByteLevelBpeModel Trained(string pattern)
    {
        var trainer = new ByteLevelBpeTrainer(new BpeTrainerOptions { VocabSize = 1200, PreTokenizerPattern = pattern });
        for (var i = 0; i < 5; i++) trainer.AddText(TokenizerFixtures.TrainingText);
        foreach (var text in EncoderFuzzTexts.EdgeCases().Concat(EncoderFuzzTexts.Random(300, seed: 5, loneSurrogates: false, supplementaryLetters: false)))
            trainer.AddText(text);
        return trainer.Train();
    }
}
