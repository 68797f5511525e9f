using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Web;

namespace DataFlow.Jobs.Extract;

/// <summary>
/// <c>type: extract</c>. Keys (besides the document-stage ones): <c>main_content</c> (true: the main content only;
/// false: all visible text outside boilerplate), <c>keep_tables</c> (true), <c>keep_links</c> (true: links' text
/// stays), <c>keep_code</c> (true: &lt;pre&gt; blocks verbatim), <c>min_text_length</c> (200 characters).
/// </summary>
public sealed class ExtractStageType : IStageType
{
    public string Name => "extract";
    public string Description => "HTML (web-archive pages) -> main text with line structure; title and lang as columns";

    public IReadOnlyList<StageDefinition> Build(string stageName, ConfigSection section, PipelineSettings settings)
    {
        var options = DocumentStageConfig.Read(section, settings);
        var extraction = new HtmlExtractionOptions
        {
            MainContent = section.GetBool("main_content", true),
            KeepTables = section.GetBool("keep_tables", true),
            KeepLinks = section.GetBool("keep_links", true),
            KeepCode = section.GetBool("keep_code", true),
        };
        var minLength = section.GetInt("min_text_length", 200, 0, 100_000_000);
        return [new StageDefinition(stageName, Name, new ExtractJob(options, extraction, minLength))];
    }
}
