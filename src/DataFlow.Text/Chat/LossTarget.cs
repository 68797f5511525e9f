namespace DataFlow.Text.Chat;

/// <summary>Which tokens of a rendered conversation the SFT loss is computed on.</summary>
public enum LossTarget
{
    /// <summary>Every assistant turn's content and its end token (the usual choice: prompts are context, not targets).</summary>
    AssistantOnly,

    /// <summary>Only the final assistant turn (earlier answers are context, as in single-answer distillation).</summary>
    LastAssistant,

    /// <summary>Every token, prompts included (plain language modelling over the rendered text).</summary>
    AllTokens,
}
