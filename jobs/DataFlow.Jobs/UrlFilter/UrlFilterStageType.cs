using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Web;

namespace DataFlow.Jobs.UrlFilter;

/// <summary>
/// <c>type: url_filter</c>. Keys (besides the document-stage ones), every list optional:
/// <c>url_column</c> (url); <c>block_lists</c>: files of domains (one per line, <c>#</c> comments), or folders laid out as
/// UT1's (a category folder holding <c>domains</c> and / or <c>urls</c>, or the list's root holding category
/// folders, narrowed by <c>block_categories</c>); <c>allow_lists</c> (files of domains); inline <c>block_domains</c>,
/// <c>allow_domains</c>, <c>block_urls</c>; <c>banned_words</c>, <c>soft_banned_words</c>, <c>banned_subwords</c> (lists)
/// and the same with <c>_file</c> (one per line, datatrove's asset files read as they are); <c>soft_word_threshold</c> (2).
/// </summary>
public sealed class UrlFilterStageType : IStageType
{
    public string Name => "url_filter";
    public string Description => "drop documents by URL: domain and URL block lists (UT1 layout), allow lists, banned and soft-banned words";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = DocumentStageConfig.Read(section, settings);
        var domains = new List<string>(section.GetStringList("block_domains") ?? []);
        var urls = new List<string>(section.GetStringList("block_urls") ?? []);
        var categories = section.GetStringList("block_categories");
        foreach (var list in section.GetStringList("block_lists") ?? [])
            ReadBlockList(section, settings.Resolve(list), categories, domains, urls);
        var allowed = new List<string>(section.GetStringList("allow_domains") ?? []);
        foreach (var list in section.GetStringList("allow_lists") ?? [])
            allowed.AddRange(ReadLines(section, "allow_lists", settings.Resolve(list)));
        var lists = new UrlFilterLists
        {
            BlockedDomains = domains,
            BlockedUrls = urls,
            AllowedDomains = allowed,
            BannedWords = Words(section, settings, "banned_words"),
            SoftBannedWords = Words(section, settings, "soft_banned_words"),
            BannedSubwords = Words(section, settings, "banned_subwords"),
            SoftWordThreshold = section.GetInt("soft_word_threshold", 2, 1, 1000),
        };
        var column = section.GetString("url_column", "url")!;
        return [new StageDefinition(stageName, Name, new UrlFilterJob(options, lists, column))];
    }

    private static void ReadBlockList(ConfigSection section, string path, IReadOnlyList<string>? categories, List<string> domains, List<string> urls)
    {
        if (File.Exists(path))
        {
            domains.AddRange(ReadLines(section, "block_lists", path));
            return;
        }
        if (!Directory.Exists(path)) throw section.Error("block_lists", $"'{path}' is neither a file nor a folder");
        if (IsCategory(path))
        {
            AddCategory(section, path, domains, urls);
            return;
        }
        var folders = Directory.GetDirectories(path).Where(IsCategory).Order(StringComparer.Ordinal).ToList();
        if (categories is not null)
        {
            var missing = categories.Where(c => !folders.Any(f => Path.GetFileName(f) == c)).ToList();
            if (missing.Count > 0)
                throw section.Error("block_categories", $"no category {string.Join(", ", missing)} under '{path}' (found: {string.Join(", ", folders.Select(Path.GetFileName))})");
            folders = folders.Where(f => categories.Contains(Path.GetFileName(f))).ToList();
        }
        if (folders.Count == 0) throw section.Error("block_lists", $"'{path}' holds no 'domains' or 'urls' file, nor category folders with them (the UT1 layout)");
        foreach (var folder in folders) AddCategory(section, folder, domains, urls);
    }

    private static bool IsCategory(string folder) => File.Exists(Path.Combine(folder, "domains")) || File.Exists(Path.Combine(folder, "urls"));

    private static void AddCategory(ConfigSection section, string folder, List<string> domains, List<string> urls)
    {
        var d = Path.Combine(folder, "domains");
        var u = Path.Combine(folder, "urls");
        if (File.Exists(d)) domains.AddRange(ReadLines(section, "block_lists", d));
        if (File.Exists(u)) urls.AddRange(ReadLines(section, "block_lists", u));
    }

    private static List<string> Words(ConfigSection section, PipelineSettings settings, string key)
    {
        var words = new List<string>(section.GetStringList(key) ?? []);
        if (section.GetString(key + "_file") is { } file) words.AddRange(ReadLines(section, key + "_file", settings.Resolve(file)));
        return words;
    }

    /// <summary>Non-empty lines without # comments; a missing file is an error naming the key.</summary>
    private static IEnumerable<string> ReadLines(ConfigSection section, string key, string path)
    {
        if (!File.Exists(path)) throw section.Error(key, $"list file '{path}' does not exist");
        return File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#').ToList();
    }
}
