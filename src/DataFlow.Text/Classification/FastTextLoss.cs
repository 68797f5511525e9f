namespace DataFlow.Text.Classification;

/// <summary>fastText's loss functions, with the integer values its .bin files store (loss_name).</summary>
public enum FastTextLoss
{
    /// <summary>Hierarchical softmax over a Huffman tree of the label counts ("hs").</summary>
    HierarchicalSoftmax = 1,

    /// <summary>Negative sampling ("ns"); fastText predicts with per-label sigmoids.</summary>
    NegativeSampling = 2,

    /// <summary>Full softmax over all labels ("softmax").</summary>
    Softmax = 3,

    /// <summary>One independent sigmoid per label ("one-vs-all" / "ova").</summary>
    OneVsAll = 4,
}
