using DataFlow.Engine.Tokens;

namespace DataFlow.Tests.Tokenize;

public sealed class TokenRowPartitionTests
{
    private static string Write(TempDir dir, int rows, int rowLength)
    {
        var path = dir.File("p.rows");
        using var writer = new TokenRowPartitionWriter(path, rowLength);
        for (var r = 0; r < rows; r++) writer.WriteRow(Enumerable.Range(r * 100, rowLength).ToArray());
        return path;
    }

    [Fact]
    public void RowsComeBackExactly()
    {
        using var dir = new TempDir();
        var path = Write(dir, rows: 7, rowLength: 5);
        Assert.Equal(7, TokenRowPartitionReader.RowsIn(path, 5));
        var tokens = new int[35];
        TokenRowPartitionReader.ReadInto(path, 5, tokens);
        Assert.Equal(Enumerable.Range(600, 5), tokens[30..35]);
    }

    [Fact]
    public void FlippedByteTruncationAndWrongRowLengthAreDetected()
    {
        using var dir = new TempDir();
        var path = Write(dir, rows: 7, rowLength: 5);
        var bytes = File.ReadAllBytes(path);
        bytes[40] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => TokenRowPartitionReader.ReadInto(path, 5, new int[35])).Message);

        bytes[40] ^= 1;
        File.WriteAllBytes(path, bytes[..^4]);
        Assert.Throws<InvalidDataException>(() => TokenRowPartitionReader.RowsIn(path, 5));

        File.WriteAllBytes(path, bytes);
        Assert.Throws<InvalidDataException>(() => TokenRowPartitionReader.RowsIn(path, 4));
    }
}
