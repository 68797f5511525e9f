using DataFlow.Engine.Jobs;
using DataFlow.Text.Tokenization;

namespace DataFlow.Jobs.Tokenize;

/// <summary>Resolves a tokenizer setting: a known encoding name (gpt2, cl100k_base, o200k_base, bytes) or the path of a tokenizer JSON file.</summary>
public static class TokenizerReference
{
    /// <summary>The setting as it should be recorded: known names as they are, paths made absolute against <paramref name="baseDir"/>.</summary>
    public static string Resolve(string nameOrPath, string baseDir)
    {
        if (KnownTokenizers.IsKnown(nameOrPath) || nameOrPath == ByteTextTokenizer.KnownName) return nameOrPath;
        var path = Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.GetFullPath(Path.Combine(baseDir, nameOrPath));
        if (!File.Exists(path))
            throw new FileNotFoundException($"tokenizer '{nameOrPath}' is neither a known name ({string.Join(", ", KnownTokenizers.Names)}, {ByteTextTokenizer.KnownName}) nor an existing file", path);
        return path;
    }

    /// <summary>
    /// The tokenizer file a task should read when the setting names an earlier stage (null otherwise); planned as the task's
    /// last input so that tasks run in other processes find it in their plan.
    /// </summary>
    public static string? PlannedFile(PlanContext context, TokenizeOptions options)
    {
        if (!options.TokenizerFromStage) return null;
        if (context.Pipeline.IndexOf(options.Tokenizer) is var index && (index < 0 || index >= context.StageIndex))
            throw new InvalidOperationException(
                $"stage '{context.Stage.Name}': tokenizer '{options.Tokenizer}' is neither a known name ({string.Join(", ", KnownTokenizers.Names)}, {ByteTextTokenizer.KnownName}), an existing file, nor an earlier stage");
        return context.ManifestOf(options.Tokenizer).Tasks[0].Outputs[0];
    }

    /// <summary>The tokenizer a task uses: the planned file from an earlier stage, or the resolved setting.</summary>
    public static ITextTokenizer LoadFor(TaskContext context, TokenizeOptions options) =>
        Load(options.TokenizerFromStage ? context.Inputs[^1] : options.Tokenizer);

    /// <summary>Loads a tokenizer from a value returned by <see cref="Resolve"/>.</summary>
    public static ITextTokenizer Load(string resolved) => TokenizerFiles.Load(resolved);
}
