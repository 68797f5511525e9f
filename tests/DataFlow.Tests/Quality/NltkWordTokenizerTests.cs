using DataFlow.Text.Normalization;

namespace DataFlow.Tests.Quality;

/// <summary>
/// The ports of NLTK's word tokenizer and Punkt sentence splitter against NLTK itself. Expected values were produced
/// by Debian's python3-nltk 3.8 (/usr/bin/python3): a PunktSentenceTokenizer built from PunktParameters holding the
/// port's parameters (abbrev_types = <see cref="PunktSentenceSplitter.Abbreviations"/>; ortho_context of each of
/// <see cref="PunktSentenceSplitter.CommonLowerCaseWords"/> = _ORTHO_BEG_UC | _ORTHO_MID_UC | _ORTHO_MID_LC), then span_tokenize for
/// the spans and NLTKWordTokenizer().tokenize of each sentence for the tokens; pasted here as literals
/// (bench/quality-agreement compares whole documents with datatrove itself).
/// </summary>
public class NltkWordTokenizerTests
{
    public static TheoryData<string, (int, int)[], string[]> Cases { get; } = new()
    {
        { "Good muffins cost $3.88 (roughly 3,36 euros)\nin New York.  Please buy me\ntwo of them.\nThanks.",
          [(0, 57), (59, 85), (86, 93)],
          ["Good", "muffins", "cost", "$", "3.88", "(", "roughly", "3,36", "euros", ")", "in", "New", "York", ".", "Please", "buy", "me", "two", "of", "them", ".", "Thanks", "."] },
        { "They said \"don't go\" -- but we went anyway; it wasn't far... Really?! Yes.",
          [(0, 60), (61, 69), (70, 74)],
          ["They", "said", "``", "do", "n't", "go", "''", "--", "but", "we", "went", "anyway", ";", "it", "was", "n't", "far", "...", "Really", "?", "!", "Yes", "."] },
        { "Mr. Smith met Dr. Jones at 5 p.m. on Jan. 3, e.g. at the U.S. office. It rained.",
          [(0, 33), (34, 69), (70, 80)],
          ["Mr.", "Smith", "met", "Dr.", "Jones", "at", "5", "p.m", ".", "on", "Jan.", "3", ",", "e.g.", "at", "the", "U.S.", "office", ".", "It", "rained", "."] },
        { "J. S. Bach wrote it. See section 3. The end.",
          [(0, 20), (21, 35), (36, 44)],
          ["J.", "S.", "Bach", "wrote", "it", ".", "See", "section", "3", ".", "The", "end", "."] },
        { "I cannot believe you're gonna do that, 'tis odd. We'd've known.",
          [(0, 48), (49, 63)],
          ["I", "can", "not", "believe", "you", "'re", "gon", "na", "do", "that", ",", "'t", "is", "odd", ".", "We'd", "'ve", "known", "."] },
        { "Use the --force flag (see man(1)) or run `make install`.",
          [(0, 56)],
          ["Use", "the", "--", "force", "flag", "(", "see", "man", "(", "1", ")", ")", "or", "run", "`", "make", "install", "`", "."] },
        { "Send mail to root@localhost or visit https://www.debian.org/doc/. Done!",
          [(0, 65), (66, 71)],
          ["Send", "mail", "to", "root", "@", "localhost", "or", "visit", "https", ":", "//www.debian.org/doc/", ".", "Done", "!"] },
        { "The value is 1.5e-3, i.e. small.\n\nNext paragraph: it's #1 & 100% sure *really*.",
          [(0, 32), (34, 79)],
          ["The", "value", "is", "1.5e-3", ",", "i.e.", "small", ".", "Next", "paragraph", ":", "it", "'s", "#", "1", "&", "100", "%", "sure", "*", "really", "*", "."] },
        { "«Bonjour» said he. “Quoted” and ‘single’ text’s end.",
          [(0, 18), (19, 52)],
          ["«", "Bonjour", "»", "said", "he", ".", "“", "Quoted", "”", "and", "‘", "single", "’", "text", "’", "s", "end", "."] },
        { "Items: a) first; b) second. [1] Reference {braces} <tags>.",
          [(0, 27), (28, 58)],
          ["Items", ":", "a", ")", "first", ";", "b", ")", "second", ".", "[", "1", "]", "Reference", "{", "braces", "}", "<", "tags", ">", "."] },
        { "The offset is 1 degree C. It is expected to work up to revision E. This is fine, etc. The end... and more... Then stop.",
          [(0, 25), (26, 66), (67, 119)],
          ["The", "offset", "is", "1", "degree", "C", ".", "It", "is", "expected", "to", "work", "up", "to", "revision", "E", ".", "This", "is", "fine", ",", "etc.", "The", "end", "...", "and", "more", "...", "Then", "stop", "."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Sentence_spans_and_tokens_equal_nltks(string text, (int, int)[] spans, string[] tokens)
    {
        Assert.Equal(spans, PunktSentenceSplitter.Spans(text).Select(s => (s.Start, s.End)).ToArray());
        Assert.Equal(tokens, NltkWordTokenizer.Tokenize(text));
    }

    [Fact]
    public void A_line_without_a_sentence_end_is_one_sentence()
    {
        // datatrove's split_into_sentences yields at least one part; C4 counts it as one sentence.
        Assert.Equal(1, PunktSentenceSplitter.Count("no terminal mark here"));
        Assert.Equal(3, PunktSentenceSplitter.Count("One. Two! Three?"));
    }
}
