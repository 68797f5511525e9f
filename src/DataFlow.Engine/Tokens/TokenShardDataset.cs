using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace DataFlow.Engine.Tokens;

/// <summary>
/// Random access to the rows of one split of a token dataset: row r of the split is found by (shard, row group, row),
/// and decoded row groups are kept in a small least-recently-used cache bounded by <c>cacheBytes</c>.
/// Thread-safe: reads are serialized by a lock (decoding is fast next to a training step).
/// </summary>
public sealed class TokenShardDataset : IDisposable
{
    public const long DefaultCacheBytes = 256L << 20;

    private readonly string _directory;
    private readonly ShardState[] _shards;
    private readonly long[] _shardStarts; // first split row of each shard, plus the total at the end
    private readonly long _cacheBytes;
    private readonly LinkedList<CachedGroup> _cache = new();
    private long _cachedBytes;
    private readonly Lock _lock = new();
    private bool _disposed;

    private TokenShardDataset(string directory, TokenDatasetManifest manifest, string split, long cacheBytes)
    {
        _directory = directory;
        Manifest = manifest;
        Split = split;
        _cacheBytes = cacheBytes;
        var shards = manifest.ShardsOf(split).Where(s => s.Rows > 0).ToArray();
        _shards = shards.Select(s => new ShardState(s)).ToArray();
        _shardStarts = new long[shards.Length + 1];
        for (var i = 0; i < shards.Length; i++) _shardStarts[i + 1] = _shardStarts[i] + shards[i].Rows;
    }

    public static TokenShardDataset Open(string directory, string split = TokenSplit.Train, long cacheBytes = DefaultCacheBytes)
    {
        TokenSplit.Validate(split);
        return new TokenShardDataset(directory, TokenDatasetManifest.Load(directory), split, cacheBytes);
    }

    /// <summary>Rows and tokens of one shard file, read from its Parquet footer (for building a manifest).</summary>
    public static TokenShardInfo DescribeShard(string directory, string file, string split, int seqLen)
    {
        var path = Path.Combine(directory, file);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var reader = ParquetReader.CreateAsync(stream, TokenShardSchema.Options(), leaveStreamOpen: true).GetAwaiter().GetResult();
        try
        {
            TokenShardSchema.FindTokensField(reader.Schema, path);
            if (reader.CustomMetadata.TryGetValue(TokenShardSchema.SeqLenKey, out var written) && written != seqLen.ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw new InvalidDataException($"{path}: written with seq_len {written}, expected {seqLen}");
            var rows = reader.RowGroups.Sum(g => g.RowCount);
            return new TokenShardInfo(file, split, rows, rows * (seqLen + 1));
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public TokenDatasetManifest Manifest { get; }
    public string Split { get; }
    public int SeqLen => Manifest.SeqLen;
    public int RowLength => Manifest.RowLength;
    public long RowCount => _shardStarts[^1];
    public long TokenCount => RowCount * RowLength;

    /// <summary>Copies row <paramref name="row"/> (0-based across the split's shards, in manifest order) into <paramref name="dest"/>.</summary>
    public void ReadRow(long row, Span<int> dest)
    {
        if ((ulong)row >= (ulong)RowCount) throw new ArgumentOutOfRangeException(nameof(row), $"row {row} outside [0, {RowCount})");
        if (dest.Length < RowLength) throw new ArgumentException($"destination holds {dest.Length} tokens, a row has {RowLength}", nameof(dest));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var shardIndex = Array.BinarySearch(_shardStarts, row);
            if (shardIndex < 0) shardIndex = ~shardIndex - 1;
            // Binary search may land on a later equal start only for empty shards, which were filtered out.
            var shard = _shards[shardIndex];
            var rowInShard = row - _shardStarts[shardIndex];
            var group = GetGroup(shardIndex, shard, rowInShard, out var rowInGroup);
            group.Values.AsSpan(checked((int)(rowInGroup * RowLength)), RowLength).CopyTo(dest);
        }
    }

    /// <summary>Reads several rows into consecutive slices of <paramref name="dest"/> (a [rows.Length, seq_len + 1] batch).</summary>
    public void ReadRows(ReadOnlySpan<long> rows, Span<int> dest)
    {
        if (dest.Length < rows.Length * RowLength)
            throw new ArgumentException($"destination holds {dest.Length} tokens, {rows.Length} rows need {rows.Length * RowLength}", nameof(dest));
        for (var i = 0; i < rows.Length; i++) ReadRow(rows[i], dest.Slice(i * RowLength, RowLength));
    }

    private CachedGroup GetGroup(int shardIndex, ShardState shard, long rowInShard, out long rowInGroup)
    {
        shard.EnsureOpen(_directory);
        var groupIndex = Array.BinarySearch(shard.GroupStarts!, rowInShard);
        if (groupIndex < 0) groupIndex = ~groupIndex - 1;
        rowInGroup = rowInShard - shard.GroupStarts![groupIndex];

        for (var node = _cache.First; node is not null; node = node.Next)
        {
            if (node.Value.Shard == shardIndex && node.Value.Group == groupIndex)
            {
                _cache.Remove(node);
                _cache.AddFirst(node);
                return node.Value;
            }
        }

        var values = shard.ReadGroup(groupIndex, RowLength);
        var cached = new CachedGroup(shardIndex, groupIndex, values);
        _cache.AddFirst(cached);
        _cachedBytes += values.Length * sizeof(int);
        // Keep at least the group just read, whatever the budget.
        while (_cachedBytes > _cacheBytes && _cache.Count > 1)
        {
            _cachedBytes -= _cache.Last!.Value.Values.Length * sizeof(int);
            _cache.RemoveLast();
        }
        return cached;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var shard in _shards) shard.Dispose();
            _cache.Clear();
        }
    }

    private sealed record CachedGroup(int Shard, int Group, int[] Values);

    /// <summary>An open shard file: its reader, leaf field and the first row of each row group.</summary>
    private sealed class ShardState(TokenShardInfo info) : IDisposable
    {
        private FileStream? _stream;
        private ParquetReader? _reader;
        private DataField? _field;
        public long[]? GroupStarts;

        public void EnsureOpen(string directory)
        {
            if (_reader is not null) return;
            var path = Path.Combine(directory, info.File);
            _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            try
            {
                _reader = ParquetReader.CreateAsync(_stream, TokenShardSchema.Options(), leaveStreamOpen: true).GetAwaiter().GetResult();
                _field = TokenShardSchema.FindTokensField(_reader.Schema, path);
                var starts = new long[_reader.RowGroupCount + 1];
                for (var g = 0; g < _reader.RowGroupCount; g++) starts[g + 1] = starts[g] + _reader.RowGroups[g].RowCount;
                if (starts[^1] != info.Rows)
                    throw new InvalidDataException($"{path}: {starts[^1]} rows, the manifest says {info.Rows}");
                GroupStarts = starts;
            }
            catch
            {
                _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
                _reader = null;
                _stream.Dispose();
                _stream = null;
                throw;
            }
        }

        public int[] ReadGroup(int group, int rowLength)
        {
            var rows = checked((int)(GroupStarts![group + 1] - GroupStarts[group]));
            var count = checked(rows * rowLength);
            var values = new int[count];
            var repetition = ArrayPool<int>.Shared.Rent(count);
            var definition = ArrayPool<int>.Shared.Rent(count);
            try
            {
                using (var groupReader = _reader!.OpenRowGroupReader(group))
                {
                    groupReader.ReadRawAsync<int>(_field!, values, definition.AsMemory(0, count), repetition.AsMemory(0, count), CancellationToken.None)
                        .GetAwaiter().GetResult();
                }
                // Every row must be exactly rowLength tokens, none null: a new list (level 0) starts at each multiple of rowLength only.
                var maxDefinition = _field!.MaxDefinitionLevel;
                for (var i = 0; i < count; i++)
                {
                    if ((repetition[i] == 0) != (i % rowLength == 0) || definition[i] != maxDefinition)
                        throw new InvalidDataException($"{info.File}: row group {group} has a row that is not {rowLength} non-null tokens");
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(repetition);
                ArrayPool<int>.Shared.Return(definition);
            }
            return values;
        }

        public void Dispose()
        {
            _reader?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _stream?.Dispose();
        }
    }
}
