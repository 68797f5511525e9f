using System.Globalization;
using System.Net;
using System.Text;

namespace DataFlow.Report;

/// <summary>
/// Small, dependency-free SVG charts: horizontal bars, line plots and stacked line panels. Deterministic output. Every
/// bar carries its value (<c>data-value</c>) and every line its values (<c>data-values</c>), beside the drawing.
/// </summary>
public static class SvgChart
{
    private const int Width = 720;
    private static readonly string[] Palette = ["#3b6ea8", "#d9822b", "#3a9a5b", "#b8433a", "#7d5ba6", "#8c6d31", "#c65f9f", "#5f7c8a"];

    /// <summary>Horizontal bar chart, one bar per label, values printed at the bar ends.</summary>
    public static string Bars(string title, IReadOnlyList<(string Label, double Value)> bars, string unit = "")
    {
        const int rowHeight = 22;
        const int left = 300;
        var height = 40 + bars.Count * rowHeight + 20;
        var max = bars.Count == 0 ? 1 : Math.Max(bars.Max(b => b.Value), 1e-12);
        var svg = Begin(height, title, "bars");
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value) = bars[i];
            var y = 36 + i * rowHeight;
            var w = Math.Max(1, (Width - left - 90) * value / max);
            svg.Append($"<text x=\"{left - 6}\" y=\"{y + 15}\" text-anchor=\"end\" font-size=\"12\">{Escape(Shorten(label, 46))}</text>");
            svg.Append($"<rect data-value=\"{value.ToString("R", CultureInfo.InvariantCulture)}\" x=\"{left}\" y=\"{y + 3}\" width=\"{F(w)}\" height=\"{rowHeight - 6}\" fill=\"{Palette[0]}\"/>");
            svg.Append($"<text x=\"{F(left + w + 4)}\" y=\"{y + 15}\" font-size=\"11\">{Escape(Format(value) + unit)}</text>");
        }
        return End(svg);
    }

    /// <summary>Line plot of one or more series against a shared x axis.</summary>
    public static string Lines(string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series,
        string xLabel, string yLabel) => Panels(title, [(yLabel, series)], xLabel);

    /// <summary>
    /// Line plots stacked on one figure, one panel per quantity, sharing the x axis (e.g. learned reward, true score and
    /// KL per PPO iteration): quantities of different scales read side by side without a second y axis.
    /// </summary>
    public static string Panels(string title, IReadOnlyList<(string YLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> Series)> panels,
        string xLabel)
    {
        const int panelHeight = 240, top = 36, gap = 22, bottom = 44;
        var height = top + panels.Count * panelHeight + (panels.Count - 1) * gap + bottom;
        var svg = Begin(height, title, "lines");
        var xs = panels.SelectMany(p => p.Series).SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => p.X).ToList();
        if (xs.Count == 0) return End(svg.Append("<text x=\"20\" y=\"60\">no data</text>"));
        double x0 = xs.Min(), x1 = xs.Max();
        if (x1 == x0) x1 = x0 + 1;
        // Steps and iterations are whole numbers: ticks fall on whole numbers too.
        var wholeX = xs.All(x => x == Math.Floor(x));
        for (var i = 0; i < panels.Count; i++)
            Panel(svg, top + i * (panelHeight + gap), panelHeight, panels[i].Series, x0, x1, panels[i].YLabel, wholeX);
        svg.Append($"<text x=\"{LinesLeft + (Width - LinesLeft - LinesRight) / 2}\" y=\"{height - 8}\" text-anchor=\"middle\" font-size=\"11\">{Escape(xLabel)}</text>");
        return End(svg);
    }

    private const int LinesLeft = 70, LinesRight = 170;

    private static void Panel(StringBuilder svg, int top, int height, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series,
        double x0, double x1, string yLabel, bool wholeX)
    {
        const int left = LinesLeft, right = LinesRight, bottom = 18;
        var ys = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => p.Y).ToList();
        double y0 = ys.Count == 0 ? 0 : ys.Min(), y1 = ys.Count == 0 ? 1 : ys.Max();
        if (y1 == y0) { y1 += Math.Abs(y1) * 0.1 + 1e-9; y0 -= Math.Abs(y0) * 0.1 + 1e-9; }
        var plotW = Width - left - right;
        var plotH = height - bottom;
        double Px(double x) => left + (x - x0) / (x1 - x0) * plotW;
        double Py(double y) => top + plotH - (y - y0) / (y1 - y0) * plotH;
        svg.Append($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#999\"/>");
        for (var t = 0; t <= 4; t++)
        {
            var yv = y0 + (y1 - y0) * t / 4;
            svg.Append($"<text x=\"{left - 4}\" y=\"{F(Py(yv) + 4)}\" text-anchor=\"end\" font-size=\"10\">{Format(yv)}</text>");
            svg.Append($"<line x1=\"{left}\" x2=\"{left + plotW}\" y1=\"{F(Py(yv))}\" y2=\"{F(Py(yv))}\" stroke=\"#eee\"/>");
        }
        foreach (var xv in XTicks(x0, x1, wholeX))
            svg.Append($"<text x=\"{F(Px(xv))}\" y=\"{top + plotH + 13}\" text-anchor=\"middle\" font-size=\"10\">{Format(xv)}</text>");
        svg.Append($"<text x=\"14\" y=\"{top + plotH / 2}\" font-size=\"11\" transform=\"rotate(-90 14 {top + plotH / 2})\" text-anchor=\"middle\">{Escape(yLabel)}</text>");
        for (var s = 0; s < series.Count; s++)
        {
            var color = Palette[s % Palette.Length];
            var finite = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            var path = string.Join(" ", finite.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"));
            // data-values: the numbers behind the line, so a reader (or a test) can check what was plotted.
            var values = string.Join(" ", finite.Select(p => p.Y.ToString("R", CultureInfo.InvariantCulture)));
            svg.Append($"<polyline data-series=\"{Escape(series[s].Name)}\" data-values=\"{values}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{path}\"/>");
            if (finite.Count <= 12)
                foreach (var p in finite)
                    svg.Append($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"2.5\" fill=\"{color}\"/>");
            svg.Append($"<rect x=\"{Width - right + 10}\" y=\"{top + s * 18}\" width=\"12\" height=\"3\" fill=\"{color}\"/>");
            svg.Append($"<text x=\"{Width - right + 26}\" y=\"{top + s * 18 + 5}\" font-size=\"11\">{Escape(Shorten(series[s].Name, 24))}</text>");
        }
    }

    /// <summary>Ticks at a round step (1, 2 or 5 times a power of ten; whole numbers for steps and iterations), at most six.</summary>
    private static IEnumerable<double> XTicks(double x0, double x1, bool wholeX)
    {
        var raw = (x1 - x0) / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * power).First(s => s >= raw);
        if (wholeX) step = Math.Max(1, Math.Round(step));
        for (var x = Math.Ceiling(x0 / step) * step; x <= x1 + step * 1e-9; x += step) yield return x;
    }

    private static StringBuilder Begin(int height, string title, string kind) => new StringBuilder()
        .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" data-chart=\"{kind}\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\">")
        .Append($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>");

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Format(double v) => Math.Abs(v) switch
    {
        0 => "0",
        >= 1e9 => (v / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (v / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 0.01 => v.ToString("0.###", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##E0", CultureInfo.InvariantCulture),
    };

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string Escape(string s) => WebUtility.HtmlEncode(s);
}
