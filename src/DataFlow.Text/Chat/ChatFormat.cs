namespace DataFlow.Text.Chat;

/// <summary>JSONL layouts of instruction data that <see cref="ChatRecordParser"/> reads.</summary>
public enum ChatFormat
{
    /// <summary>Detect from the fields present in each record.</summary>
    Auto,

    /// <summary><c>{"instruction", "input"?, "output"}</c> (Stanford Alpaca).</summary>
    Alpaca,

    /// <summary><c>{"messages": [{"role", "content"}]}</c> (OpenAI / HF chat).</summary>
    Messages,

    /// <summary><c>{"conversations": [{"from": "human"|"gpt"|"system", "value"}]}</c>.</summary>
    ShareGpt,

    /// <summary><c>{"prompt", "completion"}</c>.</summary>
    PromptCompletion,

    /// <summary><c>{"question", "answer"}</c> (GSM8K; the answer keeps its reasoning and the final <c>#### N</c>).</summary>
    Gsm8k,
}
