using System.Buffers.Binary;
using System.Text;

namespace DataFlow.Trainer.Native;

/// <summary>
/// Marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK in its .gnu.version_r
/// entry), so the dynamic loader accepts a system library that lacks that version. Used for libLibTorchSharp.so,
/// which requires GLIBCXX_3.4.32 only for std::ios_base_library_init, a symbol it never calls.
/// </summary>
internal static class ElfVersionPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtDynsym = 11;
    private const ushort VerFlagWeak = 0x2;

    /// <summary>What <see cref="MakeWeak"/> found.</summary>
    internal enum Outcome { Patched, AlreadyWeak, NotRequired }

    /// <summary>
    /// Sets the weak flag on <paramref name="version"/> in <paramref name="image"/> (the file's bytes, edited in place).
    /// Refuses when an undefined symbol other than those in <paramref name="allowedSymbols"/> is bound to that
    /// version: weakening a version whose symbols are really used would turn a clean load error into a crash later.
    /// </summary>
    internal static Outcome MakeWeak(byte[] image, string version, IReadOnlyCollection<string> allowedSymbols)
    {
        var span = image.AsSpan();
        if (image.Length < 64 || span[0] != 0x7f || span[1] != (byte)'E' || span[2] != (byte)'L' || span[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (span[4] != 2 || span[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");

        var shoff = (long)U64(span, 0x28);
        int shentsize = U16(span, 0x3a), shnum = U16(span, 0x3c);
        var sections = new Section[shnum];
        for (var i = 0; i < shnum; i++) sections[i] = ReadSection(span, shoff + (long)i * shentsize);

        var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
        if (verneed.Type == 0) return Outcome.NotRequired;
        var verStrings = sections[verneed.Link];

        // Walk Elf64_Verneed entries and their Elf64_Vernaux lists.
        long need = verneed.Offset;
        for (var n = 0; n < (int)verneed.Info; n++)
        {
            int count = U16(span, need + 2);
            long aux = need + U32(span, need + 8);
            for (var a = 0; a < count; a++)
            {
                var name = CString(span, verStrings.Offset + U32(span, aux + 8));
                if (name == version)
                {
                    var flags = U16(span, aux + 4);
                    if ((flags & VerFlagWeak) != 0) return Outcome.AlreadyWeak;
                    CheckOnlyAllowedSymbolsUse(span, sections, U16(span, aux + 6), version, allowedSymbols);
                    BinaryPrimitives.WriteUInt16LittleEndian(span[(int)(aux + 4)..], (ushort)(flags | VerFlagWeak));
                    return Outcome.Patched;
                }
                aux += U32(span, aux + 12);
            }
            need += U32(span, need + 12);
        }
        return Outcome.NotRequired;
    }

    private static void CheckOnlyAllowedSymbolsUse(ReadOnlySpan<byte> span, Section[] sections, int versionIndex, string version, IReadOnlyCollection<string> allowed)
    {
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        if (versym.Type == 0 || dynsym.Type == 0) throw new InvalidDataException("ELF file has no dynamic symbol versions");
        var names = sections[dynsym.Link];
        var count = (int)(dynsym.Size / 24);
        for (var i = 0; i < count; i++)
        {
            if ((U16(span, versym.Offset + 2L * i) & 0x7fff) != versionIndex) continue;
            var symbol = CString(span, names.Offset + U32(span, dynsym.Offset + 24L * i));
            if (!allowed.Contains(symbol))
                throw new InvalidDataException($"symbol '{symbol}' needs {version}; refusing to mark that version weak");
        }
    }

    private readonly record struct Section(uint Type, long Offset, long Size, int Link, uint Info);

    private static Section ReadSection(ReadOnlySpan<byte> span, long at) =>
        new(U32(span, at + 4), (long)U64(span, at + 0x18), (long)U64(span, at + 0x20), (int)U32(span, at + 0x28), U32(span, at + 0x2c));

    private static ushort U16(ReadOnlySpan<byte> s, long at) => BinaryPrimitives.ReadUInt16LittleEndian(s[(int)at..]);
    private static uint U32(ReadOnlySpan<byte> s, long at) => BinaryPrimitives.ReadUInt32LittleEndian(s[(int)at..]);
    private static ulong U64(ReadOnlySpan<byte> s, long at) => BinaryPrimitives.ReadUInt64LittleEndian(s[(int)at..]);

    private static string CString(ReadOnlySpan<byte> s, long at)
    {
        var rest = s[(int)at..];
        return Encoding.ASCII.GetString(rest[..rest.IndexOf((byte)0)]);
    }
}
