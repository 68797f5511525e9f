namespace DataFlow.Text.Dedup;

/// <summary>The role of one UTF-16 unit when dedup cuts text into tokens.</summary>
public enum DedupCharClass : byte
{
    /// <summary>Ends the current token: spaces, punctuation, symbols.</summary>
    Separator,

    /// <summary>Vanishes without ending a token: folded accents, format characters (zero-width joiners, soft hyphens).</summary>
    Dropped,

    /// <summary>A letter of a spaced script: continues the current word.</summary>
    Letter,

    /// <summary>A letter of a script written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar): a token of its own.</summary>
    Unspaced,

    /// <summary>A combining mark kept with the letter before it (vowel signs, viramas, tone marks).</summary>
    Mark,

    /// <summary>A decimal digit: a run of digits (with one inner decimal separator) becomes the token character '0'.</summary>
    Digit,

    /// <summary>The first half of a surrogate pair: classified by the code point it forms.</summary>
    HighSurrogate,
}
