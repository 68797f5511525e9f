namespace DataFlow.Text.Tokenization;

/// <summary>Special token strings the project uses: end of text between documents, and chat roles for SFT.</summary>
public static class SpecialTokens
{
    public const string EndOfText = "<|endoftext|>";
    public const string Pad = "<|pad|>";
    public const string System = "<|system|>";
    public const string User = "<|user|>";
    public const string Assistant = "<|assistant|>";
    public const string End = "<|end|>";

    /// <summary>The special tokens a trained tokenizer gets unless told otherwise, in id order.</summary>
    public static readonly IReadOnlyList<string> Default = [EndOfText, Pad, System, User, Assistant, End];
}
