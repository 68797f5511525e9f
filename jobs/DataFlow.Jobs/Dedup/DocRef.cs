namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A document's place in the dedup input as one 64-bit number: signatures task (high 24 bits) and the
/// document's ordinal within that task's inputs (low 40 bits). Ordering by DocRef is input order.
/// </summary>
public static class DocRef
{
    private const int OrdinalBits = 40;
    private const long OrdinalMask = (1L << OrdinalBits) - 1;

    public static ulong Make(int task, long ordinal) => ((ulong)task << OrdinalBits) | (ulong)ordinal;
    public static int Task(ulong docRef) => (int)(docRef >> OrdinalBits);
    public static long Ordinal(ulong docRef) => (long)(docRef & OrdinalMask);
    public static string Format(ulong docRef) => $"{Task(docRef)}:{Ordinal(docRef)}";
}
