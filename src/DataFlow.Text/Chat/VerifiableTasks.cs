using System.Text.RegularExpressions;

namespace DataFlow.Text.Chat;

/// <summary>
/// Small instruction tasks a tiny model can learn and a program can check: adding and subtracting small numbers,
/// copying, reversing or capitalizing a made-up word, and wrapping it in brackets. <see cref="Solve"/> recomputes
/// the answer from the prompt alone, so the true score of any response is known (the reward that cannot be hacked).
/// </summary>
public static partial class VerifiableTasks
{
    public static readonly IReadOnlyList<string> Families = ["add", "subtract", "copy", "reverse", "upper", "brackets"];

    /// <summary>One example of a random family; operands 0..<paramref name="maxOperand"/>, words of 3..5 letters.</summary>
    public static VerifiableExample Generate(Random random, int maxOperand = 9)
    {
        var family = Families[random.Next(Families.Count)];
        int a = random.Next(maxOperand + 1), b = random.Next(maxOperand + 1);
        var word = RandomWord(random);
        return family switch
        {
            "add" => new VerifiableExample(family, $"What is {a} + {b}?", (a + b).ToString()),
            "subtract" => new VerifiableExample(family, $"What is {Math.Max(a, b)} - {Math.Min(a, b)}?", (Math.Max(a, b) - Math.Min(a, b)).ToString()),
            "copy" => new VerifiableExample(family, $"Repeat the word: {word}", word),
            "reverse" => new VerifiableExample(family, $"Reverse the word: {word}", Reverse(word)),
            "upper" => new VerifiableExample(family, $"Write in capitals: {word}", word.ToUpperInvariant()),
            _ => new VerifiableExample(family, $"Wrap in brackets: {word}", $"[{word}]"),
        };
    }

    /// <summary>The correct answer to a prompt of any family, or null when the prompt is not one of ours.</summary>
    public static string? Solve(string prompt)
    {
        if (Arithmetic().Match(prompt) is { Success: true } m)
        {
            var (a, b) = (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[3].Value));
            return (m.Groups[2].Value == "+" ? a + b : a - b).ToString();
        }
        if (WordTask().Match(prompt) is not { Success: true } w) return null;
        var word = w.Groups[2].Value;
        return w.Groups[1].Value switch
        {
            "Repeat the word" => word,
            "Reverse the word" => Reverse(word),
            "Write in capitals" => word.ToUpperInvariant(),
            _ => $"[{word}]",
        };
    }

    /// <summary>True score: 1 when the response (trimmed) is exactly the answer, else 0; 0 for unknown prompts.</summary>
    public static double Score(string prompt, string response) =>
        Solve(prompt) is { } answer && response.Trim() == answer ? 1.0 : 0.0;

    /// <summary>A plausible wrong answer (off by one, a letter swapped, the untransformed word...) for preference pairs.</summary>
    public static string WrongAnswer(VerifiableExample example, Random random)
    {
        string wrong;
        do
        {
            wrong = example.Task switch
            {
                "add" or "subtract" => (int.Parse(example.Answer) + (random.Next(2) == 0 ? -1 : 1) * (1 + random.Next(3))).ToString(),
                _ => random.Next(3) switch
                {
                    0 => SwapTwoLetters(example.Answer, random),
                    1 => example.Answer.Length > 1 ? example.Answer[..^1] : example.Answer + "x",
                    _ => WordOf(example.Prompt),
                },
            };
        } while (wrong == example.Answer);
        return wrong;
    }

    private static string WordOf(string prompt) => WordTask().Match(prompt) is { Success: true } w ? w.Groups[2].Value : prompt;

    private static string SwapTwoLetters(string text, Random random)
    {
        if (text.Length < 2) return text + text;
        var chars = text.ToCharArray();
        var i = random.Next(chars.Length - 1);
        (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
        return new string(chars);
    }

    private static string RandomWord(Random random)
    {
        var chars = new char[3 + random.Next(3)];
        for (var i = 0; i < chars.Length; i++) chars[i] = (char)('a' + random.Next(26));
        return new string(chars);
    }

    private static string Reverse(string word)
    {
        var chars = word.ToCharArray();
        Array.Reverse(chars);
        return new string(chars);
    }

    [GeneratedRegex(@"^What is (\d+) ([+-]) (\d+)\?$")]
    private static partial Regex Arithmetic();

    [GeneratedRegex(@"^(Repeat the word|Reverse the word|Write in capitals|Wrap in brackets): ([a-z]+)$")]
    private static partial Regex WordTask();
}
