namespace DataFlow.Text.Chat;

/// <summary>A piece of a rendered conversation: plain text or one special token, and whether the loss covers it.</summary>
public readonly record struct TemplateSegment(string Text, bool IsSpecial, bool Trainable);
