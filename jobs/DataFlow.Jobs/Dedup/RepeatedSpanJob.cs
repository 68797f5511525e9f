using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Substring dedup stage 2. Task j owns one range of 12-bit suffix keys, balanced by the parts' key counts; it k-way
/// merges that slice of every part's windows (read from disk; texts memory-mapped) in window order: the 8-byte order
/// keys decide, the text only between windows of equal keys. A run of equal windows is a repeated span start; with remove: all_but_first every occurrence
/// but the earliest (part, then offset) is marked, with remove: all every one. Marked starts go to one file per part.
/// Memory: a read buffer per part and the largest run of equal windows; the texts are paged in by the OS.
/// </summary>
public sealed class RepeatedSpanJob(SubstringDedupOptions options, SubstringLayout layout) : IStageJob
{
    public IReadOnlyList<TaskPlan> Plan(PlanContext context)
    {
        var parts = context.ManifestOf(layout.Suffixes).Tasks;
        var tasks = options.MergeTasks > 0 ? options.MergeTasks : parts.Count;
        return Enumerable.Range(0, tasks).Select(j => new TaskPlan(j,
            parts.SelectMany(p => new[] { p.Outputs[0], p.Outputs[1], p.Outputs[2] }).ToList(),
            parts.Select(p => SubstringLayout.StartsFile(context.OutputDir, j, p.Index)).ToList())).ToList();
    }

    public unsafe void Run(TaskContext context)
    {
        var parts = context.Inputs.Count / 3;
        var k = options.MinTokens;
        var keyCounts = new long[parts][];
        for (var i = 0; i < parts; i++)
        {
            var info = RecordFileFormat.ReadInfo(context.Inputs[3 * i + 2], sizeof(long), SubstringLayout.KeyCountKind);
            using var reader = new RecordRunReader<long>(info, 0, SubstringLayout.Keys);
            keyCounts[i] = new long[SubstringLayout.Keys];
            for (var key = 0; key < SubstringLayout.Keys && reader.MoveNext(); key++) keyCounts[i][key] = reader.Current;
        }
        var (low, high) = KeyRange(keyCounts, context.Index, options.MergeTasks > 0 ? options.MergeTasks : parts);

        var texts = new MappedText[parts];
        var cursors = new SuffixCursor[parts];
        var writers = new RecordFileWriter<uint>[parts];
        try
        {
            for (var i = 0; i < parts; i++)
            {
                texts[i] = new MappedText(context.Inputs[3 * i]);
                var before = keyCounts[i][..low].Sum();
                var inRange = keyCounts[i][low..high].Sum();
                cursors[i] = new SuffixCursor(context.Inputs[3 * i + 1], before, inRange);
                writers[i] = new RecordFileWriter<uint>(context.CreateOutput(context.Plan.Outputs[i]), SubstringLayout.StartsKind);
            }
            Merge(context, texts, cursors, writers, k);
            foreach (var w in writers) w.Complete();
        }
        finally
        {
            foreach (var w in writers) w?.Dispose();
            foreach (var c in cursors) c?.Dispose();
            foreach (var t in texts) t?.Dispose();
        }
        context.Stats.AddExample("key_range", $"task {context.Index}: keys [{low:X3}, {high:X3})");
    }

    /// <summary>Keys [low, high) of task j of n: cut where the running total of windows passes j/n of all of them.</summary>
    internal static (int Low, int High) KeyRange(long[][] keyCounts, int task, int tasks)
    {
        var totals = new long[SubstringLayout.Keys];
        foreach (var counts in keyCounts)
            for (var key = 0; key < totals.Length; key++) totals[key] += counts[key];
        var sum = totals.Sum();
        int Boundary(int j)
        {
            if (j == 0) return 0;
            if (j == tasks) return SubstringLayout.Keys;
            var target = sum * j / tasks;
            long running = 0;
            var key = 0;
            while (key < totals.Length && running < target) running += totals[key++];
            return key;
        }
        return (Boundary(task), Boundary(task + 1));
    }

    private void Merge(TaskContext context, MappedText[] texts, SuffixCursor[] cursors, RecordFileWriter<uint>[] writers, int k)
    {
        var heap = new List<int>();
        foreach (var (cursor, i) in cursors.Select((c, i) => (c, i)))
            if (cursor.MoveNext()) heap.Add(i);
        ReadOnlySpan<byte> Window(int part) => texts[part].Span.Slice(cursors[part].Current.Start, k);
        // Window order (the order of every part's file): the 8-byte key settles all but equal windows without the text.
        int Compare(int a, int b)
        {
            var c = WindowSuffixArray.Compare(cursors[a].Current.Key, Window(a), cursors[b].Current.Key, Window(b));
            return c != 0 ? c : a.CompareTo(b);
        }
        // A binary min-heap of part indices ordered by their current window.
        for (var i = heap.Count / 2 - 1; i >= 0; i--) SiftDown(heap, i, Compare);

        var group = new List<(int Part, int Offset)>();
        var groupPart = -1;
        var groupOffset = 0;
        ulong groupKey = 0;
        long windows = 0, runs = 0, groups = 0, marked = 0, largest = 0;
        void Flush()
        {
            if (group.Count > 1)
            {
                groups++;
                largest = Math.Max(largest, group.Count);
                // The earliest occurrence (part, then offset); a loop, not LINQ's Min, which allocates per group.
                var first = group[0];
                foreach (var member in group)
                    if (member.CompareTo(first) < 0) first = member;
                foreach (var (part, offset) in group)
                {
                    if (options.Remove == SubstringRemoval.AllButFirst && (part, offset) == first) continue;
                    writers[part].Append((uint)offset);
                    marked++;
                }
            }
            group.Clear();
        }
        while (heap.Count > 0)
        {
            // The top part's current entry starts a run of equal windows in that part (the part's file flags the rest
            // of the run); only a run from another part with the same key needs the text to join the group.
            var part = heap[0];
            var head = cursors[part].Current;
            if (group.Count == 0 || head.Key != groupKey || !Window(part).SequenceEqual(texts[groupPart].Span.Slice(groupOffset, k)))
            {
                Flush();
                groupPart = part;
                groupOffset = head.Start;
                groupKey = head.Key;
            }
            group.Add((part, head.Start));
            windows++;
            bool more;
            while ((more = cursors[part].MoveNext()) && cursors[part].Current.SameAsPrevious)
            {
                group.Add((part, cursors[part].Current.Start));
                windows++;
            }
            if (more) SiftDown(heap, 0, Compare);
            else
            {
                heap[0] = heap[^1];
                heap.RemoveAt(heap.Count - 1);
                if (heap.Count > 0) SiftDown(heap, 0, Compare);
            }
            if ((++runs & 0xFFFFF) == 0)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                context.Progress.SetFraction(cursors.Sum(c => c.Fraction) / cursors.Length);
            }
        }
        Flush();
        context.Stats.Add("windows", windows);
        context.Stats.Add("repeated_windows", groups);
        context.Stats.Add("marked_windows", marked);
        context.Stats.AddExample("largest_repeat", $"task {context.Index}: a window repeated {largest} times");
    }

    private static void SiftDown(List<int> heap, int i, Func<int, int, int> compare)
    {
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= heap.Count) return;
            var child = left + 1 < heap.Count && compare(heap[left + 1], heap[left]) < 0 ? left + 1 : left;
            if (compare(heap[child], heap[i]) >= 0) return;
            (heap[i], heap[child]) = (heap[child], heap[i]);
            i = child;
        }
    }

    /// <summary>A part's text, memory-mapped read-only (the record file's single run of bytes).</summary>
    private sealed unsafe class MappedText : IDisposable
    {
        private readonly MemoryMappedFile? _file;
        private readonly MemoryMappedViewAccessor? _view;
        private readonly byte* _start;
        private readonly int _length;

        public MappedText(string path)
        {
            var info = RecordFileFormat.ReadInfo(path, 1, SubstringLayout.TextKind);
            if (info.RecordCount == 0) return;
            _length = checked((int)info.RecordCount);
            _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _start = pointer + _view.PointerOffset + info.Runs[0].Offset;
        }

        public ReadOnlySpan<byte> Span => new(_start, _length);

        public void Dispose()
        {
            if (_view is not null)
            {
                _view.SafeMemoryMappedViewHandle.ReleasePointer();
                _view.Dispose();
            }
            _file?.Dispose();
        }
    }

    /// <summary>Streams one slice [first, first + count) of a part's filtered suffix array.</summary>
    private sealed class SuffixCursor : IDisposable
    {
        private readonly FileStream _stream;
        private readonly WindowSuffix[] _buffer = new WindowSuffix[1 << 14];
        private readonly long _count;
        private long _remaining;
        private int _position;
        private int _filled;

        public SuffixCursor(string path, long first, long count)
        {
            var info = RecordFileFormat.ReadInfo(path, Unsafe.SizeOf<WindowSuffix>(), SubstringLayout.SuffixKind);
            if (first + count > info.RecordCount) throw new InvalidDataException($"{path}: holds {info.RecordCount} suffixes, its key counts name {first + count}");
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (count > 0) _stream.Position = info.Runs[0].Offset + first * Unsafe.SizeOf<WindowSuffix>();
            _count = _remaining = count;
        }

        public WindowSuffix Current { get; private set; }

        public double Fraction => _count == 0 ? 1 : 1 - (double)_remaining / _count;

        public bool MoveNext()
        {
            if (_position == _filled)
            {
                if (_remaining == 0) return false;
                var n = (int)Math.Min(_buffer.Length, _remaining);
                _stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_buffer.AsSpan(0, n)));
                _remaining -= n;
                _filled = n;
                _position = 0;
            }
            Current = _buffer[_position++];
            return true;
        }

        public void Dispose() => _stream.Dispose();
    }
}
