using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Tokenize;

/// <summary>Resolves a tokenizer setting: a known encoding name (gpt2, cl100k_base, o200k_base) or the path of a tokenizer JSON file.</summary>
public static class TokenizerReference
{
    /// <summary>The setting as it should be recorded: known names as they are, paths made absolute against <paramref name="baseDir"/>.</summary>
    public static string Resolve(string nameOrPath, string baseDir)
    {
        if (KnownTokenizers.IsKnown(nameOrPath)) return nameOrPath;
        var path = Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.GetFullPath(Path.Combine(baseDir, nameOrPath));
        if (!File.Exists(path))
            throw new FileNotFoundException($"tokenizer '{nameOrPath}' is neither a known name ({string.Join(", ", KnownTokenizers.Names)}) nor an existing file", path);
        return path;
    }

    /// <summary>Loads a tokenizer from a value returned by <see cref="Resolve"/>.</summary>
    public static ITextTokenizer Load(string resolved) =>
        KnownTokenizers.IsKnown(resolved) ? KnownTokenizers.Load(resolved) : TokenizerFiles.FromJson(File.ReadAllText(resolved), resolved);
}
