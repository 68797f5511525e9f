namespace DataFlow.Text.Dedup;

/// <summary>What <see cref="DedupFingerprinter"/> learned about one document besides its signature.</summary>
public readonly record struct Fingerprint(ShingleMode Mode, int Shingles, UInt128 ExactHash);
