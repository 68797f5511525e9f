using System.Text.Json;
using DataFlow.Text.Chat;
using DataFlow.Text.Tokenization;
using DataFlow.Trainer.Interop;

namespace DataFlow.Trainer.Tests.Interop;

/// <summary>
/// cl100k_base and o200k_base leave gaps below their special tokens (cl100k has no id 100256), and Hugging Face tokenizers
/// (Rust) numbers an added token the vocabulary lacks from the vocabulary's end. An exported folder must still give
/// tiktoken's published ids to the special tokens and ours to the chat tokens added after them, in Hugging Face tokenizers
/// (Rust, through Tokenizers.DotNet), @huggingface/tokenizers (JavaScript) and our loader alike. The expected ids are
/// tiktoken's (Microsoft.ML.Tokenizers) for each piece between special tokens.
/// </summary>
public class HfSpecialTokenIdsTests
{
    public static TheoryData<string> Vocabularies => [KnownTokenizers.Cl100kBase, KnownTokenizers.O200kBase];

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Hugging_Face_tokenizers_rust_and_our_loader_read_the_exported_special_token_ids(string name)
    {
        var (hf, texts, expected) = Case(name);
        var rust = new Tokenizers.DotNet.Tokenizer(Path.Combine(hf, HfTokenizerFiles.TokenizerFile));
        var ours = TokenizerFiles.Load(Path.Combine(hf, HfTokenizerFiles.TokenizerFile));
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(expected[i].SequenceEqual(rust.Encode(texts[i]).Select(id => (int)id)),
                $"{name}: {JsonSerializer.Serialize(texts[i])}: expected [{string.Join(",", expected[i])}] HF [{string.Join(",", rust.Encode(texts[i]))}]");
            List<int> ids = [];
            ours.Encode(texts[i], ids);
            Assert.Equal(expected[i], ids);
        }
    }

    [HfJsPeerFact]
    public void Hugging_Face_js_reads_the_exported_special_token_ids()
    {
        foreach (var name in Vocabularies)
        {
            var (hf, texts, expected) = Case(name);
            var theirs = HfJsTokenizerPeerTests.Peer<int[][]>(hf, "encode", texts);
            for (var i = 0; i < texts.Length; i++)
                Assert.True(expected[i].SequenceEqual(theirs[i]), $"{name}: {JsonSerializer.Serialize(texts[i])}: expected [{string.Join(",", expected[i])}] HF [{string.Join(",", theirs[i])}]");
        }
    }

    /// <summary>A folder exported for <paramref name="name"/>, texts mixing its special and chat tokens, and their ids by tiktoken.</summary>
    private static (string HfDir, string[] Texts, int[][] Expected) Case(string name)
    {
        var (hf, tokenizer) = HfJsTokenizerPeerTests.Exported($"hf-specials-{name}", name);
        var tiktoken = KnownTokenizers.LoadLibrary(name);
        var published = ((Microsoft.ML.Tokenizers.TiktokenTokenizer)tiktoken.Inner).SpecialTokens!;
        Assert.Equal(name == KnownTokenizers.Cl100kBase ? 100257 : 199999, published[SpecialTokens.EndOfText]); // openai_public.py
        var specials = published.Concat(tokenizer.ChatTokens.Where(t => !published.ContainsKey(t.Key))).ToDictionary(StringComparer.Ordinal);
        string[][] parts =
        [
            [.. published.Keys],
            ["Hello", SpecialTokens.EndOfText, " world", SpecialTokens.EndOfText],
            [SpecialTokens.User, "What is 2 + 3?", SpecialTokens.End, SpecialTokens.Assistant, "5", SpecialTokens.End, SpecialTokens.EndOfText],
            ["数据清洗 ", SpecialTokens.Pad, SpecialTokens.Pad, " code: x<y>z", SpecialTokens.System],
        ];
        List<int> IdsOf(string part)
        {
            if (specials.TryGetValue(part, out var id)) return [id];
            List<int> ids = [];
            tiktoken.EncodeOrdinary(part, ids);
            return ids;
        }
        return (hf, parts.Select(p => string.Concat(p)).ToArray(), parts.Select(p => p.SelectMany(part => IdsOf(part)).ToArray()).ToArray());
    }
}
