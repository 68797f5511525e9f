using System.Text;

namespace DataFlow.Text.Chat;

/// <summary>
/// A byte-level tokenizer with the chat special tokens as ids 0..5 and the 256 UTF-8 byte values after them:
/// no training, any text, a 262-token vocabulary, which keeps tiny CPU models on the synthetic tasks small.
/// </summary>
public sealed class ByteChatTokenizer : IChatTokenizer
{
    private static readonly string[] Specials = ["<|endoftext|>", "<|pad|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"];

    public int VocabSize => Specials.Length + 256;
    public int PadId => 1;
    public int EndOfTextId => 0;

    public int SpecialTokenId(string token)
    {
        var index = Array.IndexOf(Specials, token);
        return index >= 0 ? index : throw new ArgumentException($"byte tokenizer has no special token '{token}' (it knows {string.Join(", ", Specials)})");
    }

    public void Encode(string text, List<int> ids)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text)) ids.Add(Specials.Length + b);
    }

    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (id >= Specials.Length && id < VocabSize)
            {
                bytes.Add((byte)(id - Specials.Length));
                continue;
            }
            Flush();
            text.Append(id >= 0 && id < Specials.Length ? Specials[id] : "\uFFFD");
        }
        Flush();
        return text.ToString();

        void Flush()
        {
            if (bytes.Count == 0) return;
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }
}
