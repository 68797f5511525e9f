namespace DataFlow.Text.Tokenization;

/// <summary>A tokenizer as the tokenize stage and the trainer see it: text to ids and back, plus the ids packing needs.</summary>
public interface ITextTokenizer
{
    /// <summary>Known name (gpt2, cl100k_base, ...) or a description of where it was loaded from.</summary>
    string Name { get; }

    /// <summary>One more than the largest id the tokenizer can produce (special tokens included).</summary>
    int VocabSize { get; }

    /// <summary>The end-of-text token placed between documents.</summary>
    int EndOfTextId { get; }

    /// <summary>
    /// How this vocabulary spells its end-of-text token: <see cref="SpecialTokens.EndOfText"/> for ours, GPT-2 and tiktoken,
    /// the vocabulary's own document separator otherwise (LLaMA 3: &lt;|end_of_text|&gt;).
    /// </summary>
    string EndOfText { get; }

    /// <summary>The padding token, if the tokenizer defines one.</summary>
    int? PadId { get; }

    /// <summary>Appends the ids of <paramref name="text"/> to <paramref name="ids"/>; special-token strings in the text become their special ids.</summary>
    void Encode(string text, List<int> ids);

    /// <summary>
    /// Like <see cref="Encode"/>, but special-token strings in the text (say a document quoting "&lt;|endoftext|&gt;") are encoded
    /// as ordinary text, so data can never inject an end-of-text or chat-role id. Decoding still gives the text back.
    /// </summary>
    void EncodeOrdinary(string text, List<int> ids);

    string Decode(IEnumerable<int> ids);
}
