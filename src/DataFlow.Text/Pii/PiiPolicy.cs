namespace DataFlow.Text.Pii;

/// <summary>What happens to a detected value.</summary>
public enum PiiPolicy
{
    /// <summary>Replace with the type's tag, e.g. &lt;EMAIL&gt;.</summary>
    Tag,

    /// <summary>Replace with a fake value of the same shape, the same for the same input under one key.</summary>
    Pseudonym,

    /// <summary>Leave the value in place; only count it.</summary>
    Keep,

    /// <summary>Remove the whole document when it holds more than the drop threshold of such values; below it, tag them.</summary>
    Drop,
}
