using DataFlow.Text.LanguageId;
using Lingua;

namespace DataFlow.Tests.Quality;

/// <summary>
/// The fast screen against Lingua itself: on real text it must give Lingua's low-accuracy all-language answer
/// (language and confidence) wherever it answers, and it must answer for ordinary English text.
/// </summary>
public class LatinTrigramScreenTests
{
    private static readonly LanguageDetector Lingua = LanguageDetectorBuilder.FromAllLanguages().WithLowAccuracyMode().Build();

    [Fact]
    public void Gives_linguas_answer_wherever_it_answers()
    {
        var screen = LatinTrigramScreen.Shared;
        Assert.NotNull(screen);
        var samples = new List<(string Lang, string Text)>();
        foreach (var (_, text, lang) in LanguageRuleTests.ManPages())
            foreach (var length in new[] { 40, 150, 1000 })
                for (var start = 0; start + length <= text.Length && start < 6000; start += 1500)
                    samples.Add((lang, text.Substring(start, length)));
        var answered = new Dictionary<string, int>();
        var total = new Dictionary<string, int>();
        var mismatches = new List<string>();
        foreach (var (lang, text) in samples)
        {
            total[lang] = total.GetValueOrDefault(lang) + 1;
            if (screen!.TryTop(text) is not { } fast) continue;
            if (text.Any(c => char.IsLetter(c) && c > '\u024F' && c is < '\u1E00' or > '\u1EFF'))
                mismatches.Add($"{lang}: answered for text with letters of another script: \"{text[..Math.Min(60, text.Length)]}\"");
            answered[lang] = answered.GetValueOrDefault(lang) + 1;
            var (language, score) = LinguaTop(text);
            if (fast.Language != language || Math.Abs(fast.Score - score) > 1e-9)
                mismatches.Add($"{lang}: fast {fast.Language} {fast.Score:F6}, Lingua {language} {score:F6} on \"{text[..Math.Min(60, text.Length)]}\"");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
        Assert.True(samples.Count > 1000, $"{samples.Count} samples");
        // Plain English and other mostly-ASCII Latin text is answered by the screen (and the English passages of
        // pages in other scripts); text with letters of other scripts never is (checked above).
        Assert.True(answered.GetValueOrDefault("en") >= 0.9 * total["en"], $"en: {answered.GetValueOrDefault("en")} of {total["en"]}");
        Assert.True(answered.GetValueOrDefault("nl") >= 0.5 * total["nl"], $"nl: {answered.GetValueOrDefault("nl")} of {total["nl"]}");
    }

    /// <summary>The same for detectors among candidates, as the candidate step of the language rule builds them.</summary>
    [Theory]
    [InlineData("en,de,fr,es,it,pt,nl,ru,zh,ja", false)]
    [InlineData("en,zh,de,fr,es", true)]
    [InlineData("en,zh", false)]
    [InlineData("en,nl,de,sv,da", false)]
    public void Gives_linguas_answer_among_candidates(string candidates, bool lowAccuracy)
    {
        var screen = LatinTrigramScreen.Shared!;
        var languages = candidates.Split(',').Select(LanguageIdentifier.ParseCode).ToArray();
        var builder = LanguageDetectorBuilder.FromLanguages(languages);
        var lingua = (lowAccuracy ? builder.WithLowAccuracyMode() : builder).Build();
        var mask = screen.MaskOf(languages);
        int answered = 0, english = 0, total = 0;
        var mismatches = new List<string>();
        foreach (var (_, text, lang) in LanguageRuleTests.ManPages())
            foreach (var length in new[] { 60, 150, 1000 })
                for (var start = 0; start + length <= text.Length && start < 4500; start += 1500)
                {
                    var sample = text.Substring(start, length);
                    total++;
                    if (screen.TryTop(sample, mask, lowAccuracy ? 3 : 120) is not { } fast) continue;
                    answered++;
                    if (lang == "en") english++;
                    var (language, score) = Top(lingua, sample);
                    if (fast.Language != language || Math.Abs(fast.Score - score) > 1e-9)
                        mismatches.Add($"{lang}: fast {fast.Language} {fast.Score:F6}, Lingua {language} {score:F6} on \"{sample[..40]}\"");
                }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
        Assert.True(english >= 15 && answered >= total / 5, $"{answered} of {total} answered, {english} English");
    }

    [Fact]
    public void Leaves_text_to_lingua_where_its_rules_could_decide()
    {
        var screen = LatinTrigramScreen.Shared!;
        // Half the words carry German's unique letter: Lingua's rules may pick German before any trigram is read.
        Assert.Null(screen.TryTop("straße straße grüße haus maß"));
        Assert.Null(screen.TryTop("Привет, как дела? hello"));
        Assert.Null(screen.TryTop("no"));
        Assert.NotNull(screen.TryTop("The quick brown fox jumps over the lazy dog, twice (2x)."));
    }

    private static (Language? Language, double Score) LinguaTop(string text) => Top(Lingua, text);

    private static (Language? Language, double Score) Top(LanguageDetector detector, string text)
    {
        foreach (var (language, score) in detector.ComputeLanguageConfidenceValues(text))
            return score > 0 ? (language, score) : (null, 0);
        return (null, 0);
    }
}
