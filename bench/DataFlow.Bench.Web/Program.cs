using System.Diagnostics;
using DataFlow.Text.Web;

// usage: DataFlow.Bench.Web PAGES_TSV OUT_DIR [REPEAT]
// PAGES_TSV: url <TAB> html path <TAB> reference path (scripts/make-web-fixtures.sh writes it).
// Writes OUT_DIR/{dataflow,smartreader}/N.txt and prints MB/s of HTML per extractor (one thread).
var pages = File.ReadAllLines(args[0]).Select(l => l.Split('\t')).ToList();
var outDir = args[1];
var repeat = args.Length > 2 ? int.Parse(args[2]) : 1;
var htmls = pages.Select(p => File.ReadAllText(p[1])).ToList();
var mb = htmls.Sum(h => System.Text.Encoding.UTF8.GetByteCount(h)) / 1e6;
var extractor = new HtmlTextExtractor();
var extractors = new (string Name, Func<string, string, string> Run)[]
{
    ("dataflow", (html, _) => extractor.Extract(html).Text),
    ("smartreader", (html, url) =>
    {
        try
        {
            var article = new SmartReader.Reader(url, html).GetArticle();
            return article.IsReadable ? article.TextContent ?? "" : "";
        }
        catch (Exception)
        {
            return ""; // SmartReader throws on some pages (counted as no text)
        }
    }),
};
foreach (var (name, run) in extractors)
{
    Directory.CreateDirectory(Path.Combine(outDir, name));
    for (var i = 0; i < pages.Count; i++) File.WriteAllText(Path.Combine(outDir, name, $"{i}.txt"), run(htmls[i], pages[i][0]));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    for (var r = 0; r < repeat; r++)
        for (var i = 0; i < pages.Count; i++) run(htmls[i], pages[i][0]);
    var seconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    Console.WriteLine($"{name}\t{pages.Count * repeat} pages\t{mb * repeat:F1} MB HTML\t{clock.Elapsed.TotalSeconds:F2} s wall\t{seconds:F2} CPU-s\t{mb * repeat / seconds:F2} MB/CPU-s");
}
