namespace DataFlow.Text.Classification;

/// <summary>
/// The top-k heap of fastText's predict: a min-heap on log-probability kept with the same push / pop / sort_heap
/// steps as GCC's libstdc++ (which built Debian's fastText), so that labels with equal scores come out in
/// fastText's order too.
/// </summary>
internal static class ScoredLabelHeap
{
    // fastText's comparePairs: l.first > r.first, which makes the heap's front the lowest score.
    private static bool Less(in ScoredLabel a, in ScoredLabel b) => a.Score > b.Score;

    public static void Push(Span<ScoredLabel> heap, int length)
    {
        var value = heap[length - 1];
        SiftUp(heap, length - 1, 0, value);
    }

    /// <summary>Moves the front to index length-1 and restores the heap on [0, length-1).</summary>
    public static void Pop(Span<ScoredLabel> heap, int length)
    {
        if (length <= 1) return;
        var last = length - 1;
        var value = heap[last];
        heap[last] = heap[0];
        Adjust(heap, 0, last, value);
    }

    /// <summary>Sorts a heap into descending score order (std::sort_heap with comparePairs).</summary>
    public static void Sort(Span<ScoredLabel> heap, int length)
    {
        while (length > 1)
        {
            Pop(heap, length);
            length--;
        }
    }

    private static void SiftUp(Span<ScoredLabel> heap, int hole, int top, ScoredLabel value)
    {
        var parent = (hole - 1) / 2;
        while (hole > top && Less(heap[parent], value))
        {
            heap[hole] = heap[parent];
            hole = parent;
            parent = (hole - 1) / 2;
        }
        heap[hole] = value;
    }

    private static void Adjust(Span<ScoredLabel> heap, int hole, int length, ScoredLabel value)
    {
        var top = hole;
        var child = hole;
        while (child < (length - 1) / 2)
        {
            child = 2 * (child + 1);
            if (Less(heap[child], heap[child - 1])) child--;
            heap[hole] = heap[child];
            hole = child;
        }
        if ((length & 1) == 0 && child == (length - 2) / 2)
        {
            child = 2 * (child + 1);
            heap[hole] = heap[child - 1];
            hole = child - 1;
        }
        SiftUp(heap, hole, top, value);
    }
}
