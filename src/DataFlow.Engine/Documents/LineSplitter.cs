namespace DataFlow.Engine.Documents;

/// <summary>
/// Splits a byte stream into lines without decoding: one growable buffer, vectorized newline search.
/// A failure of the underlying stream (a truncated .gz) surfaces from <see cref="TryReadLine"/> after every
/// complete line before it has been returned.
/// </summary>
internal sealed class LineSplitter(Stream stream, int initialBuffer = 1 << 20)
{
    private byte[] _buffer = new byte[initialBuffer];
    private int _start;
    private int _end;
    private bool _eof;

    public long LineNumber { get; private set; }

    /// <summary>Returns the next line (without "\n" or "\r\n") as a segment valid until the next call.</summary>
    public bool TryReadLine(out ArraySegment<byte> line)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var newline = span.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var length = newline > 0 && span[newline - 1] == (byte)'\r' ? newline - 1 : newline;
                line = new ArraySegment<byte>(_buffer, _start, length);
                _start += newline + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_end > _start)
                {
                    line = new ArraySegment<byte>(_buffer, _start, _end - _start);
                    _start = _end;
                    LineNumber++;
                    return true;
                }
                line = default;
                return false;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true;
        _end += read;
    }
}
