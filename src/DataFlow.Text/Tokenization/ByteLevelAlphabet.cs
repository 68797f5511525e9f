namespace DataFlow.Text.Tokenization;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable characters (space becomes 'Ġ', newline 'Ċ'),
/// which byte-level BPE vocabularies in tokenizer.json are written in.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>The byte-level string of UTF-8 <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++) chars[i] = ByteToChar[source[i]];
        });
    }

    /// <summary>The bytes a byte-level string stands for; throws if it holds characters outside the alphabet.</summary>
    public static byte[] Decode(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!CharToByte.TryGetValue(token[i], out bytes[i]))
                throw new FormatException($"'{token}' is not a byte-level token (character U+{(int)token[i]:X4})");
        }
        return bytes;
    }

    public static bool IsByteLevel(string token)
    {
        foreach (var c in token) if (!CharToByte.ContainsKey(c)) return false;
        return true;
    }

    private static char[] BuildByteToChar()
    {
        // Printable Latin-1 bytes map to themselves; the rest are shifted past 255 in byte order.
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (var b = 0; b < 256; b++) map[ByteToChar[b]] = (byte)b;
        return map;
    }
}
