using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace DataFlow.Text.Web;

/// <summary>What <see cref="HtmlTextExtractor"/> keeps.</summary>
public sealed record HtmlExtractionOptions
{
    /// <summary>Find the main content (true) or keep all visible text outside scripts, styles and boilerplate (false).</summary>
    public bool MainContent { get; init; } = true;

    /// <summary>Tables as rows of cells joined by " | " (true), or dropped.</summary>
    public bool KeepTables { get; init; } = true;

    /// <summary>The text of links (true), or links dropped from the text.</summary>
    public bool KeepLinks { get; init; } = true;

    /// <summary>Code blocks (&lt;pre&gt;) with their line breaks and indentation (true), or dropped.</summary>
    public bool KeepCode { get; init; } = true;

    public static HtmlExtractionOptions Default { get; } = new();
}

/// <summary>The text of a page, its &lt;title&gt; and its declared language (the <c>lang</c> attribute), if any.</summary>
public sealed record ExtractedPage(string Text, string? Title, string? Language);

/// <summary>
/// HTML to main text: parses with AngleSharp (the WHATWG HTML5 algorithm, so broken markup is read as browsers read
/// it), removes what is never content (scripts, styles, forms, hidden elements), removes boilerplate by role and by
/// class / id words (navigation, menus, sidebars, footers, cookie banners, share bars, breadcrumbs, comments), then
/// takes the main content: &lt;main&gt; / role=main, else the element that holds most of the remaining non-link
/// text, descending while one child holds at least <see cref="DescendShare"/> of it. Blocks whose text is mostly
/// links are dropped inside it. The text keeps the page's line structure: one line per paragraph, heading, list item
/// ("- " before it) and table row (cells joined by " | "), a blank line between blocks, &lt;pre&gt; kept verbatim.
/// </summary>
public sealed class HtmlTextExtractor(HtmlExtractionOptions? options = null)
{
    /// <summary>A child replaces its parent as the main-content candidate when it holds this share of the parent's non-link text.</summary>
    public const double DescendShare = 0.7;

    /// <summary>Stop descending when siblings like the chosen child hold this share of the text.</summary>
    public const double ParallelShare = 0.05;

    private readonly HtmlExtractionOptions _options = options ?? HtmlExtractionOptions.Default;
    // The tokenizer drops what is never text (script and style bodies, comments) instead of building nodes for them.
    private readonly HtmlParser _parser = new(new HtmlParserOptions
    {
        IsScripting = false,
        SkipScriptText = true,
        SkipRawText = true,
        SkipComments = true,
        SkipProcessingInstructions = true,
        SkipCDATA = true,
        DisableElementPositionTracking = true,
    });

    private static readonly HashSet<string> NeverContent = new(StringComparer.Ordinal)
    {
        "script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed", "video", "audio",
        "map", "form", "input", "select", "option", "button", "textarea", "label", "dialog", "head", "link", "meta",
    };

    private static readonly HashSet<string> BoilerplateTags = new(StringComparer.Ordinal) { "nav", "aside", "footer" };

    private static readonly HashSet<string> BoilerplateRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "toolbar", "dialog", "alertdialog",
    };

    /// <summary>Class / id words that mark boilerplate when they appear as a whole word (split on '-', '_' and spaces).</summary>
    private static readonly HashSet<string> BoilerplateWords = new(StringComparer.Ordinal)
    {
        "nav", "navbar", "navigation", "menu", "menubar", "sidebar", "footer", "breadcrumb", "breadcrumbs", "related", "share",
        "sharing", "social", "cookie", "cookies", "consent", "gdpr", "banner", "advert", "advertisement", "ad", "ads", "sponsor",
        "sponsored", "promo", "popup", "modal", "newsletter", "subscribe", "signup", "skip", "toolbar", "pagination", "pager",
        "comment", "comments", "disqus", "masthead", "topbar", "widget", "searchbox", "outbrain", "taboola",
    };

    /// <summary>Markers that count inside a longer class / id word (sphinxsidebar, site-footer2, cookiebar).</summary>
    private static readonly string[] BoilerplateParts = ["sidebar", "navbar", "footer", "breadcrumb", "cookie", "consent", "advert"];

    private static readonly HashSet<string> Blocks = new(StringComparer.Ordinal)
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "caption", "ul", "tr", "tbody", "thead", "tfoot",
    };

    public ExtractedPage Extract(string html)
    {
        var document = _parser.ParseDocument(html);
        var title = Collapse(document.Title ?? "");
        var language = document.DocumentElement?.GetAttribute("lang") ?? document.DocumentElement?.GetAttribute("xml:lang");
        IElement? root = document.Body ?? document.DocumentElement;
        if (root is null) return new ExtractedPage("", title.Length > 0 ? title : null, language);
        var before = new Dictionary<IElement, (int Text, int Links, int Anchors)>();
        Count(root, before, insideLink: false);
        Prune(root, insideContent: false, before, NonLinkText(root, before));
        var main = root;
        if (_options.MainContent)
        {
            var counts = new Dictionary<IElement, (int Text, int Links, int Anchors)>();
            Count(root, counts, insideLink: false);
            main = MainContent(root, counts);
            DropLinkLists(main, counts);
        }
        var writer = new TextWriter();
        Write(main, writer, preformatted: false);
        return new ExtractedPage(writer.ToString(), title.Length > 0 ? title : null, string.IsNullOrWhiteSpace(language) ? null : language.Trim());
    }

    /// <summary>Removes never-content and boilerplate elements (boilerplate only outside &lt;main&gt; / &lt;article&gt;).</summary>
    private void Prune(IElement element, bool insideContent, Dictionary<IElement, (int Text, int Links, int Anchors)> counts, int pageText)
    {
        foreach (var child in element.Children.ToArray())
        {
            var name = child.LocalName;
            if (NeverContent.Contains(name) || IsHidden(child) || (!_options.KeepTables && name == "table") || (!_options.KeepCode && name == "pre"))
            {
                child.Remove();
                continue;
            }
            var content = insideContent || name is "main" or "article" || Role(child) == "main";
            if (!content && IsBoilerplate(child) && !HoldsContent(child, counts, pageText))
            {
                child.Remove();
                continue;
            }
            if (name == "header" && !insideContent)
            {
                // A site header (logo, menu) goes; a header holding the page's only <h1> stays.
                if (child.QuerySelector("h1") is null || (element.Owner?.QuerySelectorAll("h1").Length ?? 0) > 1)
                {
                    child.Remove();
                    continue;
                }
            }
            Prune(child, content, counts, pageText);
        }
    }

    /// <summary>
    /// A wrapper named like boilerplate that holds the page (Read the Docs' <c>wy-grid-for-nav</c>, a <c>nav-wrapper</c>
    /// around everything) is not removed: it holds half the page's non-link text or more, or the &lt;main&gt; /
    /// &lt;article&gt; / role=main element.
    /// </summary>
    private static bool HoldsContent(IElement element, Dictionary<IElement, (int Text, int Links, int Anchors)> counts, int pageText) =>
        (pageText > 0 && NonLinkText(element, counts) >= 0.5 * pageText) || element.QuerySelector("main, article, [role=main]") is not null;

    private static bool IsHidden(IElement e) =>
        e.HasAttribute("hidden") || string.Equals(e.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)
        || (e.GetAttribute("style") is { } style && NoSpaces(style).Contains("display:none", StringComparison.OrdinalIgnoreCase));

    private static string NoSpaces(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    private static string? Role(IElement e) => e.GetAttribute("role")?.Trim().ToLowerInvariant();

    private static bool IsBoilerplate(IElement e)
    {
        if (BoilerplateTags.Contains(e.LocalName)) return true;
        if (Role(e) is { } role && BoilerplateRoles.Contains(role)) return true;
        foreach (var value in new[] { e.ClassName, e.Id })
        {
            if (string.IsNullOrEmpty(value)) continue;
            var lower = value.ToLowerInvariant();
            foreach (var word in lower.Split([' ', '-', '_', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (BoilerplateWords.Contains(word)) return true;
                foreach (var part in BoilerplateParts)
                    if (word.Contains(part, StringComparison.Ordinal)) return true;
            }
        }
        return false;
    }

    /// <summary>Non-space characters of text and of link text below each element, in one pass.</summary>
    private static (int Text, int Links, int Anchors) Count(IElement element, Dictionary<IElement, (int Text, int Links, int Anchors)> counts, bool insideLink)
    {
        var link = insideLink || element.LocalName == "a";
        int text = 0, links = 0, anchors = element.LocalName == "a" ? 1 : 0;
        foreach (var child in element.ChildNodes)
        {
            if (child is IText t)
            {
                var n = 0;
                foreach (var c in t.Data) if (!char.IsWhiteSpace(c)) n++;
                text += n;
                if (link) links += n;
            }
            else if (child is IElement e)
            {
                var (ct, cl, ca) = Count(e, counts, link);
                text += ct;
                links += cl;
                anchors += ca;
            }
        }
        counts[element] = (text, links, anchors);
        return (text, links, anchors);
    }

    private static int NonLinkText(IElement e, Dictionary<IElement, (int Text, int Links, int Anchors)> counts) =>
        counts.TryGetValue(e, out var c) ? c.Text - c.Links : 0;

    /// <summary>&lt;main&gt; or role=main when it has text; else descend from the root while one child holds most of the non-link text.</summary>
    private static IElement MainContent(IElement root, Dictionary<IElement, (int Text, int Links, int Anchors)> counts)
    {
        var marked = root.QuerySelectorAll("main, [role=main]").FirstOrDefault(m => NonLinkText(m, counts) > 0);
        var node = marked ?? root;
        while (true)
        {
            var total = NonLinkText(node, counts);
            if (total == 0) return node;
            IElement? best = null;
            var bestText = 0;
            foreach (var child in node.Children)
            {
                var t = NonLinkText(child, counts);
                if (t > bestText) (best, bestText) = (child, t);
            }
            if (best is null || bestText < DescendShare * total) return node;
            // Siblings built like the best child (same tag and class: the next <section>, the next post) continue the
            // content: stop here rather than keep one of them.
            var parallel = 0;
            foreach (var child in node.Children)
                if (child != best && child.LocalName == best.LocalName && child.ClassName == best.ClassName) parallel += NonLinkText(child, counts);
            if (parallel >= ParallelShare * total) return node;
            node = best;
        }
    }

    /// <summary>Drops lists, tables and divisions inside the main content whose text is mostly link text (tables of contents, tag clouds).</summary>
    private static void DropLinkLists(IElement element, Dictionary<IElement, (int Text, int Links, int Anchors)> counts)
    {
        foreach (var child in element.Children.ToArray())
        {
            if (child.LocalName is "ul" or "ol" or "div" or "table" or "p" && counts.TryGetValue(child, out var c) && c.Text > 0
                && c.Links > 0.8 * c.Text && c.Anchors >= 3)
            {
                child.Remove();
                continue;
            }
            DropLinkLists(child, counts);
        }
    }

    private void Write(INode node, TextWriter writer, bool preformatted)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                writer.Append(text.Data, preformatted);
                continue;
            }
            if (child is not IElement e) continue;
            var name = e.LocalName;
            switch (name)
            {
                case "br":
                    writer.LineBreak();
                    continue;
                case "hr":
                    writer.BlockBreak();
                    continue;
                case "img":
                    continue;
                case "a" when !_options.KeepLinks:
                    continue;
                case "pre":
                    writer.BlockBreak();
                    Write(e, writer, preformatted: true);
                    writer.BlockBreak();
                    continue;
                case "li":
                    writer.LineBreak();
                    writer.Append("- ", preformatted: true);
                    Write(e, writer, preformatted);
                    writer.LineBreak();
                    continue;
                case "tr":
                    writer.LineBreak();
                    var first = true;
                    foreach (var cell in e.Children.Where(c => c.LocalName is "td" or "th"))
                    {
                        if (!first) writer.Append(" | ", preformatted: true);
                        first = false;
                        Write(cell, writer, preformatted);
                    }
                    writer.LineBreak();
                    continue;
                case "td" or "th":
                    writer.Append(" ", preformatted: false);
                    Write(e, writer, preformatted);
                    writer.Append(" ", preformatted: false);
                    continue;
                case "dt" or "dd" or "caption" or "figcaption" or "summary":
                    writer.LineBreak();
                    Write(e, writer, preformatted);
                    writer.LineBreak();
                    continue;
            }
            if (Blocks.Contains(name))
            {
                writer.BlockBreak();
                Write(e, writer, preformatted);
                writer.BlockBreak();
            }
            else
            {
                Write(e, writer, preformatted);
            }
        }
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Builds text with collapsed inline whitespace, single line breaks and single blank lines between blocks.</summary>
    private sealed class TextWriter
    {
        private readonly StringBuilder _text = new();
        private int _pendingBreaks; // 0 none, 1 line break, 2 blank line
        private bool _pendingSpace;

        public void Append(string s, bool preformatted)
        {
            if (preformatted)
            {
                if (s.Length == 0) return;
                Flush();
                _text.Append(s);
                return;
            }
            foreach (var c in s)
            {
                if (char.IsWhiteSpace(c) || c == '\u00A0')
                {
                    _pendingSpace = true;
                    continue;
                }
                Flush();
                _text.Append(c);
            }
        }

        private void Flush()
        {
            if (_text.Length > 0 && _pendingBreaks > 0)
            {
                TrimTrailingSpaces();
                _text.Append(_pendingBreaks >= 2 ? "\n\n" : "\n");
            }
            else if (_pendingSpace && _text.Length > 0 && _text[^1] != '\n' && _text[^1] != ' ')
            {
                _text.Append(' ');
            }
            _pendingBreaks = 0;
            _pendingSpace = false;
        }

        private void TrimTrailingSpaces()
        {
            var n = _text.Length;
            while (n > 0 && _text[n - 1] == ' ') n--;
            _text.Length = n;
        }

        public void LineBreak()
        {
            _pendingBreaks = Math.Max(_pendingBreaks, 1);
            _pendingSpace = false;
        }

        public void BlockBreak()
        {
            _pendingBreaks = 2;
            _pendingSpace = false;
        }

        public override string ToString()
        {
            TrimTrailingSpaces();
            return _text.ToString();
        }
    }
}
