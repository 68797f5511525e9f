namespace DataFlow.Text.Chat;

/// <summary>What chat rendering needs from a tokenizer: text to ids, each template special token as one id, and back.</summary>
public interface IChatTokenizer
{
    int VocabSize { get; }

    /// <summary>Id used to fill batches to a common length (never a training target).</summary>
    int PadId { get; }

    /// <summary>Id of a special token such as <c>&lt;|end|&gt;</c>; throws when the tokenizer lacks it.</summary>
    int SpecialTokenId(string token);

    /// <summary>Appends the ids of plain text (special-token strings inside it are not interpreted).</summary>
    void Encode(string text, List<int> ids);

    string Decode(IEnumerable<int> ids);
}
