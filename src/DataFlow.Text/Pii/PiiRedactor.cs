using System.Text;

namespace DataFlow.Text.Pii;

/// <summary>
/// Applies a policy per type to the matches of one document: tag, pseudonym, keep, or drop the whole document when it
/// holds more than <see cref="DropAbove"/> values whose policy is drop (below that they are tagged). Thread-safe.
/// </summary>
public sealed class PiiRedactor
{
    private readonly PiiPolicy[] _policies;
    private readonly PiiPseudonymizer? _pseudonymizer;

    public PiiRedactor(IReadOnlyDictionary<PiiType, PiiPolicy> policies, PiiPolicy fallback = PiiPolicy.Tag,
        int dropAbove = 0, PiiPseudonymizer? pseudonymizer = null)
    {
        _policies = PiiTypes.All.Select(t => policies.TryGetValue(t, out var p) ? p : fallback).ToArray();
        if (_policies.Contains(PiiPolicy.Pseudonym) && pseudonymizer is null)
            throw new ArgumentException("the pseudonym policy needs a key", nameof(pseudonymizer));
        ArgumentOutOfRangeException.ThrowIfNegative(dropAbove);
        DropAbove = dropAbove;
        _pseudonymizer = pseudonymizer;
    }

    public int DropAbove { get; }

    public PiiPolicy PolicyFor(PiiType type) => _policies[(int)type];

    public PiiRedaction Redact(string text, IReadOnlyList<PiiMatch> matches)
    {
        var counts = new int[PiiTypes.Count];
        int toDrop = 0;
        bool changes = false;
        foreach (var m in matches)
        {
            counts[(int)m.Type]++;
            var policy = _policies[(int)m.Type];
            if (policy == PiiPolicy.Drop) toDrop++;
            changes |= policy != PiiPolicy.Keep;
        }
        if (toDrop > DropAbove) return new PiiRedaction(text, counts, Dropped: true);
        if (!changes) return new PiiRedaction(text, counts, Dropped: false);

        var sb = new StringBuilder(text.Length + 16 * matches.Count);
        int pos = 0;
        foreach (var m in matches)
        {
            sb.Append(text, pos, m.Start - pos);
            switch (_policies[(int)m.Type])
            {
                case PiiPolicy.Keep:
                    sb.Append(text, m.Start, m.Length);
                    break;
                case PiiPolicy.Pseudonym:
                    sb.Append(_pseudonymizer!.Pseudonym(m.Type, text.AsSpan(m.Start, m.Length)));
                    break;
                default:
                    sb.Append(PiiTypes.Tag(m.Type));
                    break;
            }
            pos = m.End;
        }
        sb.Append(text, pos, text.Length - pos);
        return new PiiRedaction(sb.ToString(), counts, Dropped: false);
    }
}
