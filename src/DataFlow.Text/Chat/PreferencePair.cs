namespace DataFlow.Text.Chat;

/// <summary>Two conversations that share a prompt; a reward model should score <see cref="Chosen"/> higher.</summary>
public sealed record PreferencePair(Conversation Chosen, Conversation Rejected);
