namespace DataFlow.Text.Classification;

/// <summary>
/// One training example given as fields (a JSONL record): its labels, with or without the label prefix, and its text.
/// It trains exactly as the fastText line <c>__label__a __label__b text</c> with the text's whitespace runs as one space.
/// </summary>
public sealed record LabelledText(IReadOnlyList<string> Labels, string Text)
{
    public LabelledText(string label, string text) : this([label], text) { }
}
