using DataFlow.Text.Tokenization;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// Names the llama.cpp pre-tokenizer (GGUF <c>tokenizer.ggml.pre</c>) that splits text as a tokenizer's
/// pre-tokenization regex does. llama.cpp hard-codes one regex per name (src/llama-vocab.cpp) and never reads the
/// pattern from the file, so an export is faithful only when such a name exists; any other pattern is refused.
/// </summary>
public static class LlamaCppPreTokenizer
{
    // llama.cpp spells some of these differently ('[sS] for (?i:'s), no trailing \s+ for GPT-2 in its custom splitter),
    // with the same splits; the tokenizer agreement test checks that on real text.
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [PreTokenizerPatterns.Gpt2] = "gpt-2",
        [PreTokenizerPatterns.Cl100k] = "llama-bpe",
        [PreTokenizerPatterns.O200k] = "gpt-4o",
    };

    /// <summary>The llama.cpp name for <paramref name="tokenizer"/>'s pattern; throws naming the pattern when none splits alike.</summary>
    public static string NameFor(ByteLevelBpeModel tokenizer)
    {
        if (Names.TryGetValue(tokenizer.PreTokenizerPattern, out var name)) return name;
        // Without merges every byte is its own token, so where words are split cannot change the ids.
        if (tokenizer.Merges.Count == 0) return "gpt-2";
        throw new NotSupportedException(
            $"llama.cpp has no pre-tokenizer for the regex '{tokenizer.PreTokenizerPattern}': it knows GPT-2's (gpt-2), cl100k's (llama-bpe) and o200k's (gpt-4o) among ours; " +
            "an export with another would tokenize differently in llama.cpp");
    }
}
