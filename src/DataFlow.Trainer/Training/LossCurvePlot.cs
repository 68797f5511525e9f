namespace DataFlow.Trainer.Training;

/// <summary>Draws train and validation loss from a metrics file into a PNG.</summary>
public static class LossCurvePlot
{
    public static void Save(string metricsPath, string pngPath, string title)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (metric, label) in new[] { ("loss", "train"), ("val_loss", "validation") })
        {
            var points = MetricsLog.Read(metricsPath, metric);
            if (points.Count == 0) continue;
            var series = plot.Add.Scatter(points.Select(p => p.Step).ToArray(), points.Select(p => p.Value).ToArray());
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
