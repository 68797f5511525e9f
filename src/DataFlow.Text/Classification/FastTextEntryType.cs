namespace DataFlow.Text.Classification;

/// <summary>Whether a dictionary entry is a word or a label (fastText's entry_type, one byte in .bin files).</summary>
public enum FastTextEntryType : byte
{
    Word = 0,
    Label = 1,
}
