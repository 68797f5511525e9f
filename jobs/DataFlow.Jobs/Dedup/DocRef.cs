namespace DataFlow.Jobs.Dedup;

/// <summary>
/// A document's place in the dedup input as one 64-bit number: signatures task (high 24 bits, top bit clear) and the
/// document's ordinal within that task's inputs (low 40 bits). Ordering by DocRef is input order. A document of an
/// earlier run's index (<c>against</c>) has the top bit set, then 7 bits for which index folder, 16 bits for the
/// index part (the signatures task of that run) and its 40-bit ordinal there, so it sorts after every new document.
/// </summary>
public static class DocRef
{
    private const int OrdinalBits = 40;
    private const long OrdinalMask = (1L << OrdinalBits) - 1;
    private const int TaskBits = 23;
    private const int PartBits = 16;
    private const int FolderBits = 7;

    /// <summary>Index folders one run can be deduplicated against.</summary>
    public const int MaxIndexFolders = 1 << FolderBits;

    /// <summary>Parts (signatures tasks of the run that wrote it) an index may have.</summary>
    public const int MaxIndexParts = 1 << PartBits;

    public static ulong Make(int task, long ordinal)
    {
        if ((ulong)ordinal > OrdinalMask) throw new InvalidDataException($"task {task} has more than {OrdinalMask + 1:N0} documents (2^40): split its input over more tasks");
        if ((uint)task >= 1u << TaskBits) throw new InvalidDataException($"task index {task} does not fit in {TaskBits} bits (at most {(1 << TaskBits) - 1} signatures tasks)");
        return ((ulong)task << OrdinalBits) | (ulong)ordinal;
    }

    /// <summary>Document <paramref name="ordinal"/> of part <paramref name="part"/> of the <paramref name="folder"/>-th index deduplicated against.</summary>
    public static ulong Indexed(int folder, int part, long ordinal)
    {
        if ((uint)folder >= MaxIndexFolders) throw new InvalidDataException($"at most {MaxIndexFolders} index folders can be read at once, not {folder + 1}");
        if ((uint)part >= MaxIndexParts) throw new InvalidDataException($"an index has at most {MaxIndexParts} parts; part {part} is past that");
        if ((ulong)ordinal > OrdinalMask) throw new InvalidDataException($"index part {part} has more than 2^40 documents");
        return 1UL << 63 | (ulong)folder << (OrdinalBits + PartBits) | (ulong)part << OrdinalBits | (ulong)ordinal;
    }

    public static bool IsIndexed(ulong docRef) => docRef >> 63 != 0;
    public static int IndexFolder(ulong docRef) => (int)(docRef >> (OrdinalBits + PartBits)) & (MaxIndexFolders - 1);
    public static int IndexPart(ulong docRef) => (int)(docRef >> OrdinalBits) & (MaxIndexParts - 1);

    public static int Task(ulong docRef) => (int)(docRef >> OrdinalBits);
    public static long Ordinal(ulong docRef) => (long)(docRef & OrdinalMask);

    public static string Format(ulong docRef) => IsIndexed(docRef)
        ? $"index {IndexFolder(docRef)} part {IndexPart(docRef)}:{Ordinal(docRef)}"
        : $"{Task(docRef)}:{Ordinal(docRef)}";
}
