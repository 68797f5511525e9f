using System.Text;
using System.Text.RegularExpressions;

namespace DataFlow.Engine.Documents;

/// <summary>
/// Expands input patterns to a sorted file list: a file, a folder (every file below it), or a glob with
/// <c>*</c>, <c>?</c>, <c>**</c> (any depth) and <c>{a,b}</c>. A pattern that matches nothing is an error.
/// Below a folder or a wildcard, names starting with '.' or '_' are skipped (as Spark and Hadoop do), so a
/// dataflow output folder read as input does not pull in its own run state (DIR/_dataflow).
/// </summary>
public static class InputGlob
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> patterns, string baseDir)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var raw in patterns)
        {
            var pattern = Path.IsPathRooted(raw) ? raw : Path.GetFullPath(Path.Combine(baseDir, raw));
            var matched = ExpandOne(pattern).ToList();
            if (matched.Count == 0) throw new FileNotFoundException($"input '{raw}' matches no files");
            files.UnionWith(matched);
        }
        return [.. files];
    }

    private static IEnumerable<string> ExpandOne(string pattern)
    {
        if (File.Exists(pattern)) return [pattern];
        if (Directory.Exists(pattern))
            return Directory.EnumerateFiles(pattern, "*", SearchOption.AllDirectories).Where(f => !IsHidden(f, pattern));
        var segments = pattern.Split('/');
        var fixedCount = 0;
        while (fixedCount < segments.Length && segments[fixedCount].IndexOfAny(['*', '?', '{', '[']) < 0) fixedCount++;
        var root = string.Join('/', segments[..fixedCount]);
        if (root.Length == 0) root = "/";
        if (!Directory.Exists(root)) return [];
        var regex = new Regex("^" + ToRegex(pattern) + "$", RegexOptions.CultureInvariant);
        var recursive = segments[fixedCount..].Length > 1 || pattern.Contains("**", StringComparison.Ordinal);
        return Directory.EnumerateFiles(root, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => regex.IsMatch(f) && !IsHidden(f, root));
    }

    private static bool IsHidden(string file, string root) =>
        Path.GetRelativePath(root, file).Split('/').Any(s => s.StartsWith('.') || s.StartsWith('_'));

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        var braces = 0;
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    i++;
                    if (i + 1 < glob.Length && glob[i + 1] == '/') { i++; sb.Append("(?:.*/)?"); }
                    else sb.Append(".*");
                    break;
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '{': braces++; sb.Append("(?:"); break;
                case '}' when braces > 0: braces--; sb.Append(')'); break;
                case ',' when braces > 0: sb.Append('|'); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }
}
