namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A document's place in the dedup input as one 64-bit number: signatures task (high 24 bits) and the
/// document's ordinal within that task's inputs (low 40 bits). Ordering by DocRef is input order.
/// </summary>
public static class DocRef
{
    private const int OrdinalBits = 40;
    private const long OrdinalMask = (1L << OrdinalBits) - 1;

    public static ulong Make(int task, long ordinal)
    {
        if ((ulong)ordinal > OrdinalMask) throw new InvalidDataException($"task {task} has more than {OrdinalMask + 1:N0} documents (2^40): split its input over more tasks");
        if ((uint)task >= 1u << (64 - OrdinalBits)) throw new InvalidDataException($"task index {task} does not fit in {64 - OrdinalBits} bits (at most {(1 << (64 - OrdinalBits)) - 1} signatures tasks)");
        return ((ulong)task << OrdinalBits) | (ulong)ordinal;
    }
    public static int Task(ulong docRef) => (int)(docRef >> OrdinalBits);
    public static long Ordinal(ulong docRef) => (long)(docRef & OrdinalMask);
    public static string Format(ulong docRef) => $"{Task(docRef)}:{Ordinal(docRef)}";
}
