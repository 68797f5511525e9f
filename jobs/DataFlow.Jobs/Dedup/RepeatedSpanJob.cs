using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataFlow.Engine.Jobs;
using DataFlow.Engine.Records;
using DataFlow.Text.Substring;

namespace DataFlow.Jobs.Dedup;

/// <summary>
/// Substring dedup stage 2. Task j owns one range of 16-bit suffix keys (two-byte prefixes), balanced by the parts' key
/// counts; it k-way merges that slice of every part's windows (read from disk; texts memory-mapped) by their 48-bit
/// order keys alone, taking all of one key's entries from every part at once; the text is read only to tell which runs
/// of one key hold the same window. A group of equal windows is a repeated span start; with remove: all_but_first every
/// occurrence but the earliest (part, then offset) is marked, with remove: all every one. Marked starts go to one file
/// per part. Memory: a read buffer per part and the entries of the largest key; the texts are paged in by the OS.
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
            RejectOldFormat(context.Inputs[3 * i + 2]);
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
                cursors[i] = new SuffixCursor(context.Inputs[3 * i + 1], before, inRange, keyCounts[i], low);
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

    /// <summary>A key-count file written before suffix records were 8 bytes: a clear error, not a record-size mismatch.</summary>
    public static void RejectOldFormat(string keyCountFile)
    {
        var header = new byte[RecordFileFormat.HeaderSize];
        using (var stream = new FileStream(keyCountFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            if (stream.Read(header) < header.Length) return; // ReadInfo names what is wrong
        var kind = System.Text.Encoding.ASCII.GetString(header, 16, header.Length - 16).TrimEnd('\0');
        if (kind == SubstringLayout.OldKeyCountKind)
            throw new InvalidDataException(
                $"{keyCountFile}: written by an older substring_dedup (12-byte suffix records, kind '{SubstringLayout.OldSuffixKind}'; this version reads '{SubstringLayout.SuffixKind}'); delete this run's substring stages (or the run folder) and rerun substring dedup");
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
        // A binary min-heap of the parts by their current entry's order key (then part): keys alone, never the text.
        // Every part's file is in window order (key, then bytes), so all entries of one key are contiguous in each part;
        // they are taken together and the text is read only to tell which of them hold the same window.
        var heap = new HeapEntry[cursors.Length];
        var size = 0;
        for (var i = 0; i < cursors.Length; i++)
            if (cursors[i].MoveNext()) heap[size++] = new HeapEntry(cursors[i].Current.Key, i);
        for (var i = size / 2 - 1; i >= 0; i--) SiftDown(heap, size, i);

        var marks = new MarkBuffer[writers.Length];
        for (var i = 0; i < marks.Length; i++) marks[i] = new MarkBuffer(writers[i]);
        // The entries of the current key in heap order: each run (one part's entries of one window) as [from, to).
        var members = new long[1024];
        var runs = new List<(int Part, int From, int To)>();
        var groupOf = new List<int>();
        var scratch = new List<long>();
        long windows = 0, groups = 0, marked = 0, largest = 0, sinceCheck = 0;
        var allButFirst = options.Remove == SubstringRemoval.AllButFirst;

        // One group of equal windows, members in (part, offset) order: the first is the earliest occurrence.
        void Mark(ReadOnlySpan<long> group)
        {
            if (group.Length < 2) return;
            groups++;
            largest = Math.Max(largest, group.Length);
            foreach (var member in allButFirst ? group[1..] : group)
                marks[(int)(member >> 32)].Add((uint)member);
            marked += allButFirst ? group.Length - 1 : group.Length;
        }

        while (size > 0)
        {
            var key = heap[0].Key;
            var count = 0;
            runs.Clear();
            while (size > 0 && heap[0].Key == key)
            {
                // The top part's entries of this key: runs of equal windows (the part's file flags all but a run's first).
                var part = heap[0].Part;
                var cursor = cursors[part];
                bool more;
                do
                {
                    var from = count;
                    do
                    {
                        if (count == members.Length) Array.Resize(ref members, members.Length * 2);
                        members[count++] = ((long)part << 32) | (uint)cursor.Current.Start;
                    }
                    while ((more = cursor.MoveNext()) && cursor.Current.SameAsPrevious);
                    runs.Add((part, from, count));
                }
                while (more && cursor.Current.Key == key);
                if (more) heap[0] = new HeapEntry(cursor.Current.Key, part);
                else heap[0] = heap[--size];
                if (size > 0) SiftDown(heap, size, 0);
            }
            windows += count;
            // Runs of one key almost always hold one window (one byte comparison per run from another part confirms it);
            // after a hash collision each run joins the first earlier run with the same window.
            if (runs.Count == 1 || AllSameWindow(texts, members, runs, k)) Mark(members.AsSpan(0, count));
            else
            {
                groupOf.Clear();
                for (var r = 0; r < runs.Count; r++)
                {
                    var g = r;
                    for (var q = 0; q < r && g == r; q++)
                        if (groupOf[q] == q && Head(texts, members, runs[q], k).SequenceEqual(Head(texts, members, runs[r], k))) g = q;
                    groupOf.Add(g);
                }
                for (var r = 0; r < runs.Count; r++)
                {
                    if (groupOf[r] != r) continue;
                    scratch.Clear();
                    for (var q = r; q < runs.Count; q++)
                        if (groupOf[q] == r) scratch.AddRange(members.AsSpan(runs[q].From, runs[q].To - runs[q].From));
                    Mark(CollectionsMarshal.AsSpan(scratch));
                }
            }
            if ((sinceCheck += runs.Count) >= 1 << 20)
            {
                sinceCheck = 0;
                context.Cancellation.ThrowIfCancellationRequested();
                context.Progress.SetFraction(cursors.Sum(c => c.Fraction) / cursors.Length);
            }
        }
        foreach (var m in marks) m.Flush();
        context.Stats.Add("windows", windows);
        context.Stats.Add("repeated_windows", groups);
        context.Stats.Add("marked_windows", marked);
        context.Stats.AddExample("largest_repeat", $"task {context.Index}: a window repeated {largest} times");
    }

    private static ReadOnlySpan<byte> Head(MappedText[] texts, long[] members, (int Part, int From, int To) run, int k) =>
        texts[run.Part].Span.Slice((int)members[run.From], k);

    private static bool AllSameWindow(MappedText[] texts, long[] members, List<(int Part, int From, int To)> runs, int k)
    {
        var first = Head(texts, members, runs[0], k);
        for (var r = 1; r < runs.Count; r++)
            if (!Head(texts, members, runs[r], k).SequenceEqual(first)) return false;
        return true;
    }

    private readonly record struct HeapEntry(ulong Key, int Part)
    {
        public bool Before(in HeapEntry other) => Key < other.Key || (Key == other.Key && Part < other.Part);
    }

    private static void SiftDown(HeapEntry[] heap, int size, int i)
    {
        var item = heap[i];
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && heap[child + 1].Before(heap[child])) child++;
            if (!heap[child].Before(item)) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }

    /// <summary>Marked starts of one part, written in blocks (a record write per start costs more than the merge).</summary>
    private sealed class MarkBuffer(RecordFileWriter<uint> writer)
    {
        private readonly uint[] _buffer = new uint[1 << 14];
        private int _count;

        public void Add(uint start)
        {
            if (_count == _buffer.Length) Flush();
            _buffer[_count++] = start;
        }

        public void Flush()
        {
            writer.Append(_buffer.AsSpan(0, _count));
            _count = 0;
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

    /// <summary>
    /// Streams one slice [first, first + count) of a part's suffix file (the entries of keys [low, ...)), rebuilding
    /// each entry's prefix from the part's counts per key.
    /// </summary>
    private sealed class SuffixCursor : IDisposable
    {
        private readonly FileStream _stream;
        private readonly SuffixRecord[] _buffer = new SuffixRecord[1 << 14];
        private readonly long[] _keyCounts;
        private readonly long _count;
        private long _remaining;
        private int _position;
        private int _filled;
        private int _prefix;
        private long _leftInPrefix;

        public SuffixCursor(string path, long first, long count, long[] keyCounts, int low)
        {
            var info = RecordFileFormat.ReadInfo(path, Unsafe.SizeOf<SuffixRecord>(), SubstringLayout.SuffixKind);
            if (first + count > info.RecordCount) throw new InvalidDataException($"{path}: holds {info.RecordCount} suffixes, its key counts name {first + count}");
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            if (count > 0) _stream.Position = info.Runs[0].Offset + first * Unsafe.SizeOf<SuffixRecord>();
            _count = _remaining = count;
            _keyCounts = keyCounts;
            _prefix = low - 1;
        }

        public WindowSuffix Current { get; private set; }

        public double Fraction => _count == 0 ? 1 : 1 - (double)_remaining / _count;

        public bool MoveNext()
        {
            if (_position == _filled)
            {
                if (_remaining == 0) return false;
                var n = (int)Math.Min(_buffer.Length, _remaining);
                _stream.ReadExactly(MemoryMarshal.AsBytes(_buffer.AsSpan(0, n)));
                _remaining -= n;
                _filled = n;
                _position = 0;
            }
            // The slice's counts add up to its length, so a record always finds its prefix.
            while (_leftInPrefix == 0) _leftInPrefix = _keyCounts[++_prefix];
            _leftInPrefix--;
            Current = _buffer[_position++].ToSuffix(_prefix);
            return true;
        }

        public void Dispose() => _stream.Dispose();
    }
}
