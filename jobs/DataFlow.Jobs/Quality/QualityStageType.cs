using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Normalization;
using DataFlow.Text.Quality;

namespace DataFlow.Jobs.Quality;

/// <summary>
/// <c>type: quality</c>. Keys (besides the document-stage keys such as input, tasks, keep_removed):
/// <c>preset</c> (a name from conf/quality, e.g. fineweb) or <c>rules</c> (an ordered list of rules),
/// <c>normalize</c> (true: the rules see text after NFC, line endings, control characters, whitespace; analysis only),
/// <c>rewrite</c> (<c>original</c>, the default: kept text as written minus rule-removed lines; <c>normalized</c>:
/// the normalized text the rules saw),
/// <c>compat</c> (dataflow, the default, or datatrove: the Gopher, C4 and FineWeb rules as datatrove 0.10 defines
/// them, on the text as written unless <c>normalize</c> is set in the stage itself; also a preset key),
/// <c>language_id</c> (<c>{model: PATH}</c>: the language rules identify languages with that fastText model instead
/// of Lingua; a language rule may also carry its own <c>language_id</c>).
/// </summary>
public sealed class QualityStageType : IStageType
{
    public string Name => "quality";

    public string Description => "language ID and Gopher / C4 / FineWeb quality rules; every drop has a named reason";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = DocumentStageConfig.Read(section, settings);
        var preset = section.GetString("preset");
        var source = section;
        if (preset is not null)
        {
            if (section.Has("rules")) throw section.Error("rules", "give either 'preset' or 'rules', not both");
            source = QualityPresets.Load(preset);
            source.Accept("description");
        }
        var rules = source.GetSectionList("rules");
        if (rules.Count == 0) throw section.Error(preset is null ? "rules" : "preset", "no quality rules: set 'preset' (" + string.Join(", ", QualityPresets.Names) + ") or 'rules'");
        var compat = QualityRuleConfig.ReadCompat(section) ?? (ReferenceEquals(source, section) ? null : QualityRuleConfig.ReadCompat(source)) ?? QualityCompat.DataFlow;
        if (section.Has("language_id") && !rules.Any(r => r.GetString("type") == "language"))
            throw section.Error("language_id", "no 'language' rule in the chain to use it");
        // The stage's language_id (e.g. a fastText LID model) applies to the language rules of a preset too.
        var chain = QualityRuleConfig.Read(rules, settings, compat, section.GetSection("language_id"));
        // datatrove normalizes nothing before its filters, so its mode reads the text as written unless the stage asks.
        var presetNormalize = source.GetBool("normalize", true);
        var normalize = section.GetBool("normalize", compat != QualityCompat.Datatrove && presetNormalize);
        var rewrite = section.GetString("rewrite", source.GetString("rewrite", "original"));
        if (rewrite is not ("original" or "normalized")) throw section.Error("rewrite", $"'{rewrite}' is not a rewrite mode (original: kept text as written; normalized: the normalized text the rules saw)");
        if (!ReferenceEquals(source, section)) source.EnsureAllKeysUsed();
        var job = new QualityJob(options, chain, normalize ? TextNormalizerOptions.Default : null, rewrite == "normalized");
        return [new StageDefinition(stageName, Name, job)];
    }
}
