using DataFlow.Text.Tokenization;

namespace DataFlow.Trainer.Interop;

/// <summary>
/// The <c>tokenizer.*</c> keys of a GGUF file for a byte-level BPE vocabulary, as llama.cpp's converter writes them for
/// Hugging Face BPE tokenizers: the <c>gpt2</c> tokenizer model, the pre-tokenizer name, byte-level token strings in id
/// order, token types, "left right" merges, the special ids and the chat template.
/// </summary>
public static class GgufTokenizerMetadata
{
    // llama.cpp's token types (gguf-py TokenType).
    public const int Normal = 1;
    public const int Control = 3;
    public const int Unused = 5;

    /// <param name="vocabSize">The model's embedding rows: ids the tokenizer does not use become [PAD{id}] (unused), as the converter fills them.</param>
    /// <param name="endOfText">The vocabulary's document separator (<see cref="EndOfTextToken"/>): LLaMA 3's &lt;|end_of_text|&gt;, else ours.</param>
    public static void Add(GgufWriter writer, ByteLevelBpeModel tokenizer, int vocabSize, string chatTemplate, string endOfText = SpecialTokens.EndOfText)
    {
        if (tokenizer.VocabSize > vocabSize)
            throw new ArgumentException($"the tokenizer has ids up to {tokenizer.VocabSize - 1}, but the model has only {vocabSize} embeddings");
        var tokens = new string?[vocabSize];
        var types = new int[vocabSize];
        foreach (var (token, id) in tokenizer.Vocabulary) (tokens[id], types[id]) = (token, Normal);
        // Special tokens are control tokens: never produced from plain text, only by id (or llama.cpp's parse_special).
        foreach (var (token, id) in tokenizer.SpecialTokens) (tokens[id], types[id]) = (token, Control);
        for (var id = 0; id < vocabSize; id++)
            if (tokens[id] is null) (tokens[id], types[id]) = ($"[PAD{id}]", Unused);

        writer.Add("tokenizer.ggml.model", GgufValue.String("gpt2"));
        writer.Add("tokenizer.ggml.pre", GgufValue.String(LlamaCppPreTokenizer.NameFor(tokenizer)));
        writer.Add("tokenizer.ggml.tokens", GgufValue.Strings(tokens!));
        writer.Add("tokenizer.ggml.token_type", GgufValue.Int32s(types));
        writer.Add("tokenizer.ggml.merges", GgufValue.Strings(tokenizer.Merges.Select(m => $"{m.Left} {m.Right}").ToArray()));
        // DataFlow starts documents with no BOS; end-of-text separates them, so it is both BOS and EOS for llama.cpp.
        if (tokenizer.SpecialTokens.TryGetValue(endOfText, out var endOfTextId))
        {
            writer.Add("tokenizer.ggml.bos_token_id", GgufValue.UInt32((uint)endOfTextId));
            writer.Add("tokenizer.ggml.eos_token_id", GgufValue.UInt32((uint)endOfTextId));
        }
        // The end of a chat turn: llama.cpp stops a chat reply there.
        if (tokenizer.SpecialTokens.TryGetValue(SpecialTokens.End, out var end))
            writer.Add("tokenizer.ggml.eot_token_id", GgufValue.UInt32((uint)end));
        if (tokenizer.SpecialTokens.TryGetValue(SpecialTokens.Pad, out var pad))
            writer.Add("tokenizer.ggml.padding_token_id", GgufValue.UInt32((uint)pad));
        writer.Add("tokenizer.ggml.add_bos_token", GgufValue.Bool(false));
        writer.Add("tokenizer.ggml.add_eos_token", GgufValue.Bool(false));
        writer.Add("tokenizer.chat_template", GgufValue.String(chatTemplate));
    }
}
