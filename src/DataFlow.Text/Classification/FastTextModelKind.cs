namespace DataFlow.Text.Classification;

/// <summary>What a fastText model was trained as, with the integer values its .bin files store (model_name).</summary>
public enum FastTextModelKind
{
    /// <summary>Continuous bag of words vectors ("cbow").</summary>
    Cbow = 1,

    /// <summary>Skip-gram vectors ("skipgram").</summary>
    SkipGram = 2,

    /// <summary>A supervised classifier ("supervised"): the only kind that predicts labels.</summary>
    Supervised = 3,
}
