using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DataFlow.Tests.Report;

/// <summary>
/// Opens a written report in real headless Chromium at a desktop width (1280 x 800) and checks what a reader sees:
/// the headline block inside the first screen, every image loaded, and every chart plotting more than one distinct
/// value (read from the SVG's drawn geometry and from the numbers it carries). The layout is measured by a probe
/// script the test adds to a copy of the page, so the page under test holds no test code of its own.
/// </summary>
internal static partial class ReportInChromium
{
    public const int ScreenWidth = 1280, ScreenHeight = 800;

    public static string? Find() => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    /// <summary>Checks the report at <paramref name="index"/> and returns the DOM Chromium built from it.</summary>
    public static string CheckDesktopView(string chromium, string index, string headlineText)
    {
        var reportDir = Path.GetDirectoryName(index)!;
        var probe = Path.Combine(reportDir, "probe.html");
        // Runs after the page's own load handlers: the headline's box, the viewport width and the images that decoded.
        const string Script = "<script>window.addEventListener('load',function(){setTimeout(function(){" +
            "var h=document.getElementById('headline'),r=h?h.getBoundingClientRect():null,imgs=document.images,ok=0;" +
            "for(var i=0;i<imgs.length;i++){if(imgs[i].complete&&imgs[i].naturalWidth>0)ok++;}" +
            "document.documentElement.setAttribute('data-probe',(r?Math.round(r.top)+','+Math.round(r.bottom):'none')+';'+window.innerWidth+';'+ok+'/'+imgs.length);},0);});</script>";
        var html = File.ReadAllText(index);
        File.WriteAllText(probe, html.Replace("</body>", Script + "</body>", StringComparison.Ordinal));
        try
        {
            var dom = Run(chromium, reportDir, "--dump-dom", $"--window-size={ScreenWidth},{ScreenHeight}", probe);
            var m = ProbeAttribute().Match(dom);
            Assert.True(m.Success, "the probe did not run: " + dom[..Math.Min(400, dom.Length)]);
            Assert.NotEqual("none", m.Groups["top"].Value);
            Assert.Equal(ScreenWidth, int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture));
            var bottom = int.Parse(m.Groups["bottom"].Value, CultureInfo.InvariantCulture);
            Assert.True(bottom <= ScreenHeight, $"the headline ends at {bottom} px, below the first screen ({ScreenHeight} px)");
            Assert.Equal(m.Groups["total"].Value, m.Groups["loaded"].Value);
            Assert.DoesNotContain("data-errors=\"1\"", dom);

            // The headline's text is in the block Chromium laid out first.
            var headline = HeadlineSection().Match(dom);
            Assert.True(headline.Success, "no headline section in the DOM");
            Assert.Contains(headlineText, headline.Value);

            foreach (Match img in ImageSource().Matches(dom)) AssertChartVaries(Path.Combine(reportDir, img.Groups[1].Value));
            return dom;
        }
        finally
        {
            File.Delete(probe);
        }
    }

    /// <summary>A screenshot of the report's top at the desktop width; returns its pixel width read from the PNG header.</summary>
    public static int Screenshot(string chromium, string index, string png, int height)
    {
        Run(chromium, Path.GetDirectoryName(index)!, $"--screenshot={png}", $"--window-size={ScreenWidth},{height}", "--hide-scrollbars", index);
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, "screenshot is missing or empty");
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(bytes, 1, 3));
        return (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]; // IHDR width, big-endian
    }

    /// <summary>Every series of a line chart and the bars of a bar chart take more than one distinct value, as drawn and as carried.</summary>
    public static void AssertChartVaries(string svgFile)
    {
        var svg = XDocument.Load(svgFile).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        var name = Path.GetFileName(svgFile);
        var lines = svg.Descendants(ns + "polyline").ToList();
        var bars = svg.Descendants(ns + "rect").Where(r => r.Attribute("data-value") is not null).ToList();
        Assert.True(lines.Count + bars.Count > 0, $"{name} plots nothing");
        foreach (var line in lines)
        {
            var drawnY = line.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split(',')[1]).Distinct().Count();
            var values = line.Attribute("data-values")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct().Count();
            Assert.True(drawnY > 1 && values > 1, $"{name}: series '{line.Attribute("data-series")?.Value}' is a constant ({values} distinct values)");
        }
        if (bars.Count > 0)
        {
            Assert.True(bars.Select(b => b.Attribute("width")!.Value).Distinct().Count() > 1, $"{name}: every bar has the same length");
            Assert.True(bars.Select(b => b.Attribute("data-value")!.Value).Distinct().Count() > 1, $"{name}: every bar has the same value");
        }
    }

    private static string Run(string chromium, string workDir, params string[] args)
    {
        using var profile = new TempDir();
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workDir };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--allow-file-access-from-files", $"--user-data-dir={profile.Path}", "--virtual-time-budget=5000" })
            info.ArgumentList.Add(a);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return stdout.Result;
    }

    [GeneratedRegex("data-probe=\"(?<top>-?\\d+|none),?(?<bottom>-?\\d*);(?<width>\\d+);(?<loaded>\\d+)/(?<total>\\d+)\"")]
    private static partial Regex ProbeAttribute();

    [GeneratedRegex("<section id=\"headline\">.*?</section>", RegexOptions.Singleline)]
    private static partial Regex HeadlineSection();

    [GeneratedRegex("<img src=\"(img/[^\"]+\\.svg)\"")]
    private static partial Regex ImageSource();
}
