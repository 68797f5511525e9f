using DataFlow.Text.Chat;

namespace DataFlow.Tests.Chat;

public class VerifiableTaskTests
{
    [Theory]
    [InlineData("What is 7 + 8?", "15")]
    [InlineData("What is 9 - 4?", "5")]
    [InlineData("Repeat the word: abc", "abc")]
    [InlineData("Reverse the word: abcd", "dcba")]
    [InlineData("Write in capitals: xyz", "XYZ")]
    [InlineData("Wrap in brackets: qq", "[qq]")]
    public void Solve_computes_the_answer_from_the_prompt(string prompt, string answer) => Assert.Equal(answer, VerifiableTasks.Solve(prompt));

    [Fact]
    public void Generated_examples_are_solved_by_their_answer_and_wrong_answers_score_zero()
    {
        var random = new Random(3);
        var families = new HashSet<string>();
        for (var i = 0; i < 500; i++)
        {
            var example = VerifiableTasks.Generate(random);
            families.Add(example.Task);
            Assert.Equal(1.0, VerifiableTasks.Score(example.Prompt, " " + example.Answer + "\n"));
            Assert.Equal(0.0, VerifiableTasks.Score(example.Prompt, VerifiableTasks.WrongAnswer(example, random)));
        }
        Assert.Equal(VerifiableTasks.Families.Count, families.Count);
        Assert.Null(VerifiableTasks.Solve("Tell me a story"));
        Assert.Equal(0.0, VerifiableTasks.Score("Tell me a story", "ok"));
    }
}
