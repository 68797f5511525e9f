using DataFlow.Text.Chat;

namespace DataFlow.Tests.Chat;

public class ChatTemplateTests
{
    private static Conversation Parse(string json, ChatFormat format = ChatFormat.Auto)
    {
        var result = ChatRecordParser.Parse(json, format);
        Assert.Null(result.Problem);
        return result.Conversation!;
    }

    [Theory]
    [InlineData("""{"instruction":"Add","input":"2 and 3","output":"5"}""", "<|user|>\nAdd\n\n2 and 3<|end|>\n<|assistant|>\n5<|end|>\n<|endoftext|>")]
    [InlineData("""{"instruction":"Say hi","output":"hi"}""", "<|user|>\nSay hi<|end|>\n<|assistant|>\nhi<|end|>\n<|endoftext|>")]
    [InlineData("""{"prompt":"p","completion":"c"}""", "<|user|>\np<|end|>\n<|assistant|>\nc<|end|>\n<|endoftext|>")]
    [InlineData("""{"question":"1+1?","answer":"So 2.\n#### 2"}""", "<|user|>\n1+1?<|end|>\n<|assistant|>\nSo 2.\n#### 2<|end|>\n<|endoftext|>")]
    [InlineData("""{"messages":[{"role":"system","content":"S"},{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"},{"role":"assistant","content":"d"}]}""",
        "<|system|>\nS<|end|>\n<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<|user|>\nc<|end|>\n<|assistant|>\nd<|end|>\n<|endoftext|>")]
    [InlineData("""{"conversations":[{"from":"human","value":"a"},{"from":"gpt","value":"b"}]}""", "<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<|endoftext|>")]
    [InlineData("""{"messages":[{"role":"system","content":""},{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}""", "<|user|>\na<|end|>\n<|assistant|>\nb<|end|>\n<|endoftext|>")]
    public void Each_format_renders_through_the_template(string json, string expected) =>
        Assert.Equal(expected, ChatTemplate.ToText(ChatTemplate.Default.Render(Parse(json))));

    [Fact]
    public void Loss_mask_covers_assistant_text_and_end_token_only()
    {
        var conversation = Parse("""{"messages":[{"role":"user","content":"ab"},{"role":"assistant","content":"cd"},{"role":"user","content":"e"},{"role":"assistant","content":"fg"}]}""");
        var tokenizer = new ByteChatTokenizer();
        var tokens = TokenizedConversation.Encode(ChatTemplate.Default.Render(conversation), tokenizer);
        var trained = string.Concat(tokens.Ids.Where((_, i) => tokens.LossMask[i]).Select(id => tokenizer.Decode([id])));
        Assert.Equal("cd<|end|>fg<|end|>", trained);

        var lastOnly = TokenizedConversation.Encode((ChatTemplate.Default with { LossOn = LossTarget.LastAssistant }).Render(conversation), tokenizer);
        Assert.Equal("fg<|end|>", string.Concat(lastOnly.Ids.Where((_, i) => lastOnly.LossMask[i]).Select(id => tokenizer.Decode([id]))));

        var all = TokenizedConversation.Encode((ChatTemplate.Default with { LossOn = LossTarget.AllTokens }).Render(conversation), tokenizer);
        Assert.All(all.LossMask, Assert.True);
        Assert.Equal(tokens.Ids, all.Ids);
    }

    [Fact]
    public void Prompt_rendering_ends_with_an_open_assistant_turn_and_matches_the_training_prefix()
    {
        var conversation = Parse("""{"prompt":"What is 2 + 3?","completion":"5"}""");
        var (prompt, answer) = conversation.SplitLastAnswer();
        var promptText = ChatTemplate.ToText(ChatTemplate.Default.RenderPrompt(prompt));
        Assert.Equal("<|user|>\nWhat is 2 + 3?<|end|>\n<|assistant|>\n", promptText);
        Assert.StartsWith(promptText + answer, ChatTemplate.ToText(ChatTemplate.Default.Render(conversation)));
    }

    [Fact]
    public void Default_system_prompt_is_added_only_when_missing()
    {
        var template = ChatTemplate.Default with { DefaultSystem = "Be brief." };
        Assert.StartsWith("<|system|>\nBe brief.<|end|>", ChatTemplate.ToText(template.Render(Parse("""{"prompt":"p","completion":"c"}"""))));
        Assert.StartsWith("<|system|>\nOwn<|end|>", ChatTemplate.ToText(template.Render(Parse("""{"messages":[{"role":"system","content":"Own"},{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}"""))));
    }

    [Theory]
    [InlineData("""{"instruction":"x"}""", "missing field 'output'")]
    [InlineData("""{"prompt":"x","completion":"  "}""", "empty assistant turn")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "no assistant turn")]
    [InlineData("""{"messages":[{"role":"wizard","content":"x"}]}""", "unknown role 'wizard'")]
    [InlineData("""{"messages":[{"role":"user"}]}""", "missing field 'content'")]
    [InlineData("""{"question":1,"answer":"2"}""", "expected a string")]
    [InlineData("""{"text":"x"}""", "cannot tell the format")]
    [InlineData("""{"prompt":""", "invalid JSON")]
    public void Bad_records_name_their_problem(string json, string problem)
    {
        var result = ChatRecordParser.Parse(json, ChatFormat.Auto);
        Assert.Null(result.Conversation);
        Assert.Contains(problem, result.Problem);
    }

    [Fact]
    public void Explicit_format_rejects_records_of_another_layout() =>
        Assert.Contains("missing field 'question'", ChatRecordParser.Parse("""{"prompt":"p","completion":"c"}""", ChatFormat.Gsm8k).Problem);

    [Fact]
    public void Byte_tokenizer_round_trips_text_and_special_tokens()
    {
        var tokenizer = new ByteChatTokenizer();
        var ids = new List<int> { tokenizer.SpecialTokenId("<|user|>") };
        tokenizer.Encode("héllo <|end|>", ids);
        Assert.Equal("<|user|>héllo <|end|>", tokenizer.Decode(ids));
        Assert.Equal(1 + "héllo <|end|>".Length + 1, ids.Count); // é is two bytes; the literal "<|end|>" is plain text
        Assert.Throws<ArgumentException>(() => tokenizer.SpecialTokenId("<|tool|>"));
    }
    [Fact]
    public void Every_shared_gsm8k_record_parses_as_a_single_turn_chat()
    {
        var shared = Environment.GetEnvironmentVariable("DATAFLOW_SHARED") ?? "/work/shared";
        var path = Path.Combine(shared, "data/sft/gsm8k-train.jsonl");
        if (!File.Exists(path))
        {
            Console.WriteLine($"skipped: {path} not found (set DATAFLOW_SHARED)");
            return;
        }
        var count = 0;
        foreach (var line in File.ReadLines(path))
        {
            var result = ChatRecordParser.Parse(line, ChatFormat.Auto);
            Assert.True(result.Conversation is not null, $"line {count + 1}: {result.Problem}");
            Assert.Contains("####", result.Conversation!.Messages[^1].Content);
            count++;
        }
        Assert.Equal(7473, count);
    }
}
