using DataFlow.Engine.Metrics;

namespace DataFlow.Trainer.Training;

/// <summary>Draws train and validation loss from a metrics file into a PNG.</summary>
public static class LossCurvePlot
{
    public static void Save(string metricsPath, string pngPath, string title)
    {
        var plot = new ScottPlot.Plot();
        var metrics = MetricsLog.Read(metricsPath);
        foreach (var (metric, label) in new[] { ("loss", "train"), ("val_loss", "validation") })
        {
            if (metrics.Get(metric) is not { Count: > 0 } points) continue;
            var series = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            series.LegendText = label;
            series.MarkerSize = metric == "loss" ? 0 : 5;
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("cross-entropy (nats/token)");
        plot.ShowLegend();
        plot.SavePng(pngPath, 900, 540);
    }
}
