namespace DataFlow.Tests.Tokenize;

/// <summary>Texts every tokenizer must give back unchanged after encode then decode.</summary>
internal static class TokenizerFixtures
{
    public static readonly string[] RoundTrip =
    [
        "",
        "Hello, world!",
        "hello world",
        "The quick brown fox jumps over the lazy dog. It's 3.14159, isn't it? I'll say 1234567890.",
        "中文分词测试：我们的模型在处理汉字时不应丢失任何信息。",
        "日本語とカタカナ、한국어도 좋아요.",
        "emoji 👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 and 🤖!",
        "combining: e\u0301 a\u0308 o\u0302\u0323 Z\u0351\u0362\u0334 (decomposed) vs é ä (composed)",
        "whitespace:  two   three    four\t\ttabs\n\n\nnewlines\r\n\r\n  trailing   ",
        new string(' ', 1000) + "x" + new string('\n', 300) + new string('\t', 77),
        "   leading spaces",
        "नमस्ते दुनिया — مرحبا بالعالم — Привет, мир",
        "def f(x):\n    return x ** 2  # code\n\n\tif x:\n\t\tpass\n",
        "zero-width: a\u200Bb\u200Dc\uFEFFd, nbsp:\u00A0x, soft hyphen: co\u00ADoperate",
    ];

    public const string TrainingText =
        "the cat sat on the mat. the dog sat on the log. the cat and the dog are friends. " +
        "a tokenizer learns merges from the most frequent pairs of symbols in the words of the text. " +
        "中文文本也会出现在训练数据中。 emoji 👍 appear too. ";
}
