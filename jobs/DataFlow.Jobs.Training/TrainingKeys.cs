using System.Globalization;
using DataFlow.Engine.Config;

namespace DataFlow.Jobs.Training;

/// <summary>
/// The key vocabulary of the four training stages (pretrain <c>training:</c>, sft, reward, ppo; docs/trainer.md,
/// "Keys shared by all four stages"): one name means one thing everywhere, shared keys have one range, and the old
/// spellings are rejected with their new name. Binds sections to the options records through <see cref="ConfigBinder"/>.
/// </summary>
public static class TrainingKeys
{
    /// <summary>Inclusive bounds of the numeric keys, for every stage whose record has the key.</summary>
    public static readonly IReadOnlyDictionary<string, (double Min, double Max)> Ranges = new Dictionary<string, (double, double)>
    {
        ["max_steps"] = (1, double.PositiveInfinity),
        ["iterations"] = (1, double.PositiveInfinity),
        ["batch_size"] = (1, double.PositiveInfinity),
        ["grad_accum_steps"] = (1, double.PositiveInfinity),
        ["learning_rate"] = (0, double.PositiveInfinity),
        ["min_lr_ratio"] = (0, 1),
        ["warmup_steps"] = (0, double.PositiveInfinity),
        ["decay_steps"] = (0, double.PositiveInfinity),
        ["weight_decay"] = (0, double.PositiveInfinity),
        ["beta1"] = (0, 1),
        ["beta2"] = (0, 1),
        ["eps"] = (0, double.PositiveInfinity),
        ["grad_clip"] = (0, double.PositiveInfinity),
        ["eval_every"] = (1, double.PositiveInfinity),
        ["eval_batches"] = (1, double.PositiveInfinity),
        ["checkpoint_every"] = (1, double.PositiveInfinity),
        ["keep_last"] = (1, double.PositiveInfinity),
        ["log_every"] = (1, double.PositiveInfinity),
        ["threads"] = (0, double.PositiveInfinity),
        ["peak_gflops"] = (0, double.PositiveInfinity),
        ["stop_after"] = (0, double.PositiveInfinity),
    };

    /// <summary>Old spelling -> new key, for the keys renamed when the stages came to share one vocabulary.</summary>
    public static readonly IReadOnlyDictionary<string, string> Renamed = new Dictionary<string, string>
    {
        ["steps"] = "max_steps",
        ["grad_accum"] = "grad_accum_steps",
        ["save_every"] = "checkpoint_every",
        ["max_lr"] = "learning_rate",
        ["min_lr"] = "min_lr_ratio",
    };

    /// <summary>
    /// Binds <paramref name="layers"/> (first wins) to <typeparamref name="T"/> after rejecting old spellings, then
    /// rejects unknown keys in every layer.
    /// </summary>
    public static T Bind<T>(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null,
        IReadOnlyCollection<string>? deferred = null) where T : class
    {
        foreach (var layer in layers) RejectRenamed<T>(layer);
        var config = ConfigBinder.Bind<T>(layers, overrides, deferred, Ranges);
        foreach (var layer in layers) layer.EnsureAllKeysUsed();
        return config;
    }

    /// <summary>Loads a whole training YAML file (<c>dataflow train sft|reward|ppo --config FILE</c>).</summary>
    public static T Load<T>(string file) where T : class => Bind<T>([ConfigSection.LoadFile(file)]);

    /// <summary>Runs a record's own checks; their ArgumentException becomes a ConfigException naming where the keys came from.</summary>
    public static T Validate<T>(IReadOnlyList<ConfigSection> layers, Func<T> validate)
    {
        try
        {
            return validate();
        }
        catch (ArgumentException e)
        {
            var others = layers.Skip(1).Select(l => l.File).Where(f => f != layers[0].File).Distinct().ToList();
            var from = others.Count == 0 ? "" : $" (with keys from {string.Join(", ", others)})";
            throw new ConfigException($"{layers[0].File}:{layers[0].Line}{from}: {e.Message}");
        }
    }

    /// <summary>Throws at the line of an old spelling, naming its new key (for <c>min_lr</c>, the ratio it would be).</summary>
    public static void RejectRenamed<T>(ConfigSection section)
    {
        var keys = ConfigBinder.KeysOf(typeof(T));
        if (!keys.Contains("max_steps") && keys.Contains("iterations"))
            foreach (var old in new[] { "steps", "max_steps" })
                if (section.Has(old))
                    throw section.Error(old, "PPO counts 'iterations' (rollout-and-update rounds), its counterpart of max_steps");
        foreach (var (old, now) in Renamed)
        {
            if (!section.Has(old) || !keys.Contains(now)) continue;
            if (old != "min_lr") throw section.Error(old, $"'{old}' was renamed to '{now}'");
            throw section.Error(old, $"'min_lr' was renamed to 'min_lr_ratio', which is a ratio of learning_rate, not a rate{MinLrHint<T>(section)}");
        }
    }

    private static string MinLrHint<T>(ConfigSection section)
    {
        static double? Number(string? text) =>
            double.TryParse(text?.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        static string Show(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        var minLr = Number(section.GetString("min_lr"));
        var peakKey = section.Has("learning_rate") ? "learning_rate" : section.Has("max_lr") ? "max_lr" : null;
        // Without a peak in the file the record's default learning_rate is the peak the floor was measured against.
        var peak = peakKey is null
            ? typeof(T).GetProperty("LearningRate")?.GetValue(Activator.CreateInstance(typeof(T))) as double?
            : Number(section.GetString(peakKey));
        if (minLr is null || peak is not > 0) return " (give min_lr_ratio = min_lr / learning_rate)";
        var with = peakKey is null ? $"the default learning_rate {Show(peak.Value)}" : $"{peakKey} {Show(peak.Value)}";
        return $": min_lr {Show(minLr.Value)} with {with} is min_lr_ratio: {Show(minLr.Value / peak.Value)}";
    }
}
