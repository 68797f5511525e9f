using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace DataFlow.Engine.Config;

/// <summary>
/// Binds YAML keys to an init-only options record by snake_case property name (<c>MaxSteps</c> is <c>max_steps</c>):
/// int, long, double, bool, string, enums (snake_case names), nullables, <c>IReadOnlyList&lt;string&gt;</c> and nested
/// records (a mapping). Reading goes through <see cref="ConfigSection"/>, so every error names file, line and key.
/// Several layers may give keys; the first layer that has a key wins (a pipeline stage's inline keys over its file's).
/// Nested sections are checked for unknown keys here; the top-level layers are left to the caller, which may own
/// more keys than the record (then it calls <see cref="ConfigSection.EnsureAllKeysUsed"/> itself).
/// </summary>
public static class ConfigBinder
{
    /// <summary>The keys a record binds, in declaration order.</summary>
    public static IReadOnlyList<string> KeysOf(Type type) => Members(type).Select(m => m.Key).ToList();

    public static T Bind<T>(ConfigSection section) where T : class => Bind<T>([section]);

    /// <param name="layers">Sections in priority order; a key is taken from the first layer that has it.</param>
    /// <param name="overrides">Values set by the caller by key (typed as the property); they win over every layer.</param>
    /// <param name="deferred">Keys the caller fills in later: not read, and not required here.</param>
    /// <param name="ranges">Inclusive bounds of numeric top-level keys.</param>
    public static T Bind<T>(IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?>? overrides = null,
        IReadOnlyCollection<string>? deferred = null, IReadOnlyDictionary<string, (double Min, double Max)>? ranges = null) where T : class =>
        (T)Bind(typeof(T), layers, overrides ?? new Dictionary<string, object?>(), deferred ?? [], ranges ?? new Dictionary<string, (double, double)>());

    private static object Bind(Type type, IReadOnlyList<ConfigSection> layers, IReadOnlyDictionary<string, object?> overrides,
        IReadOnlyCollection<string> deferred, IReadOnlyDictionary<string, (double Min, double Max)> ranges)
    {
        if (layers.Count == 0) throw new ArgumentException("binding needs at least one config section");
        var instance = Activator.CreateInstance(type) ?? throw new InvalidOperationException($"cannot create {type.Name}");
        foreach (var (key, property, required) in Members(type))
        {
            if (overrides.TryGetValue(key, out var given))
            {
                foreach (var layer in layers) layer.Accept(key);
                property.SetValue(instance, given);
                continue;
            }
            if (deferred.Contains(key))
            {
                foreach (var layer in layers) layer.Accept(key);
                continue;
            }
            var range = ranges.TryGetValue(key, out var r) ? r : (double.NegativeInfinity, double.PositiveInfinity);
            object? value = null;
            var found = false;
            if (IsRecord(property.PropertyType))
            {
                var nested = layers.Select(l => l.GetSection(key)).OfType<ConfigSection>().ToList();
                if (nested.Count > 0)
                {
                    value = Bind(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, nested,
                        new Dictionary<string, object?>(), [], new Dictionary<string, (double, double)>());
                    foreach (var section in nested) section.EnsureAllKeysUsed();
                    found = true;
                }
            }
            else
            {
                // Lower layers are read too, so a bad value is reported even where a higher layer replaces it.
                for (var i = layers.Count - 1; i >= 0; i--)
                {
                    if (!layers[i].HasValue(key))
                    {
                        layers[i].Accept(key);
                        continue;
                    }
                    value = ReadScalar(layers[i], key, property.PropertyType, range);
                    found = true;
                }
            }
            if (found) property.SetValue(instance, value);
            else if (required) throw layers[0].Missing(key);
        }
        return instance;
    }

    private static object? ReadScalar(ConfigSection section, string key, Type declared, (double Min, double Max) range)
    {
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (type == typeof(int))
            return section.GetInt(key, 0, (int)Math.Ceiling(Math.Max(range.Min, int.MinValue)), (int)Math.Floor(Math.Min(range.Max, int.MaxValue)));
        if (type == typeof(long))
            return section.GetLong(key, 0, (long)Math.Ceiling(Math.Max(range.Min, long.MinValue)), (long)Math.Floor(Math.Min(range.Max, long.MaxValue)));
        if (type == typeof(double)) return section.GetDouble(key, 0, range.Min, range.Max);
        if (type == typeof(bool)) return section.GetBool(key, false);
        if (type == typeof(string)) return section.GetString(key);
        if (type.IsEnum) return ReadEnum(section, key, type);
        if (type.IsAssignableFrom(typeof(List<string>))) return section.GetStringList(key);
        throw new InvalidOperationException($"config key '{key}': properties of type {type.Name} cannot be bound");
    }

    private static object ReadEnum(ConfigSection section, string key, Type type)
    {
        var text = section.GetString(key) ?? "";
        var names = Enum.GetNames(type);
        foreach (var name in names)
            if (string.Equals(SnakeCase(name), text, StringComparison.OrdinalIgnoreCase) || string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return Enum.Parse(type, name);
        throw section.Error(key, $"expected one of {string.Join(", ", names.Select(SnakeCase))}, got '{text}'");
    }

    private static bool IsRecord(Type declared)
    {
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        return type.IsClass && type != typeof(string) && !type.IsAssignableFrom(typeof(List<string>)) && type.GetConstructor(Type.EmptyTypes) is not null;
    }

    private static IEnumerable<(string Key, PropertyInfo Property, bool Required)> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .Select(p => (SnakeCase(p.Name), p, p.GetCustomAttribute<RequiredMemberAttribute>() is not null));

    public static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
