namespace DataFlow.Text.Pii;

/// <summary>Which IP addresses count as personal data under the scan options (public always; the rest on request).</summary>
internal static class IpRanges
{
    private enum Kind { Public, Private, Loopback, Documentation, Never }

    public static bool FlagIpv4(uint a, PiiScanOptions o) => Allowed(ClassifyV4(a), o);

    public static bool FlagIpv6(ReadOnlySpan<ushort> h, PiiScanOptions o) => Allowed(ClassifyV6(h), o);

    private static bool Allowed(Kind kind, PiiScanOptions o) => kind switch
    {
        Kind.Public => true,
        Kind.Private => o.IncludePrivateIps,
        Kind.Loopback => o.IncludeLoopbackIps,
        Kind.Documentation => o.IncludeDocumentationIps,
        _ => false,
    };

    private static Kind ClassifyV4(uint a)
    {
        uint b0 = a >> 24, b1 = (a >> 16) & 0xFF, b2 = (a >> 8) & 0xFF;
        if (b0 == 0 || b0 >= 224) return Kind.Never;                       // "this network", multicast, reserved, broadcast
        if (b0 == 127) return Kind.Loopback;
        if (b0 == 10 || (b0 == 172 && b1 is >= 16 and <= 31) || (b0 == 192 && b1 == 168)
            || (b0 == 100 && b1 is >= 64 and <= 127) || (b0 == 169 && b1 == 254)) return Kind.Private;
        if ((b0 == 192 && b1 == 0 && b2 == 2) || (b0 == 198 && b1 == 51 && b2 == 100) || (b0 == 203 && b1 == 0 && b2 == 113))
            return Kind.Documentation;
        if (b0 == 192 && b1 == 0 && b2 == 0) return Kind.Never;             // IETF protocol assignments
        if (b0 == 198 && b1 is 18 or 19) return Kind.Never;                 // benchmarking
        return Kind.Public;
    }

    private static Kind ClassifyV6(ReadOnlySpan<ushort> h)
    {
        bool zeroTo5 = h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 0 && h[4] == 0;
        if (zeroTo5 && h[5] == 0xFFFF) return ClassifyV4(((uint)h[6] << 16) | h[7]);   // IPv4-mapped
        if (zeroTo5 && h[5] == 0 && h[6] == 0 && h[7] == 1) return Kind.Loopback;
        if (h[0] == 0x2001 && h[1] == 0x0DB8 || h[0] == 0x3FFF && (h[1] & 0xF000) == 0) return Kind.Documentation;
        if ((h[0] & 0xFE00) == 0xFC00 || (h[0] & 0xFFC0) == 0xFE80) return Kind.Private;
        if ((h[0] & 0xE000) == 0x2000) return Kind.Public;                    // global unicast 2000::/3
        return Kind.Never;
    }
}
