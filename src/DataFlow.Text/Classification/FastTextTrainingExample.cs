namespace DataFlow.Text.Classification;

/// <summary>One example as training sees it, reused by a thread from example to example: its input rows (words or
/// their subwords, then word n-grams) and its label indices.</summary>
internal sealed class FastTextTrainingExample
{
    public List<int> Inputs { get; } = new(256);
    public List<int> Labels { get; } = new(4);
    /// <summary>The fastText hashes of the example's words, in order, for its word n-grams.</summary>
    public List<int> WordHashes { get; } = new(256);

    public ReadOnlySpan<int> LabelSpan => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Labels);

    public void Clear()
    {
        Inputs.Clear();
        Labels.Clear();
        WordHashes.Clear();
    }
}
