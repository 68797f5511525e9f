using System.Collections.Concurrent;
using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Text.Classification;

namespace DataFlow.Jobs;

/// <summary>
/// Loads the fastText model a config key names (<c>model: PATH</c>), once per process for each file (the model is
/// thread safe and may be large: lid.176.bin is 126 MB), with errors that name the file and the key.
/// </summary>
public static class FastTextModelFile
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<FastTextModel>> Loaded = new();

    /// <summary>The model at the path given by <paramref name="key"/>, resolved against the pipeline's base folder.</summary>
    public static FastTextModel Load(ConfigSection section, string key, PipelineSettings settings)
    {
        var path = settings.Resolve(section.RequireString(key));
        try
        {
            return Load(path);
        }
        catch (InvalidDataException e)
        {
            throw section.Error(key, e.Message);
        }
        catch (FileNotFoundException e)
        {
            throw section.Error(key, e.Message);
        }
    }

    /// <summary>The model at <paramref name="path"/>; throws <see cref="FileNotFoundException"/> or <see cref="InvalidDataException"/> naming the file.</summary>
    public static FastTextModel Load(string path)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        if (!file.Exists) throw new FileNotFoundException($"fastText model '{file.FullName}' does not exist", file.FullName);
        var lazy = Loaded.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), k => new Lazy<FastTextModel>(() => Read(k.Path)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<(string, long, DateTime), Lazy<FastTextModel>>((file.FullName, file.Length, file.LastWriteTimeUtc), lazy));
            throw;
        }
    }

    private static FastTextModel Read(string path)
    {
        try
        {
            return FastTextModel.Load(path);
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: cannot read the fastText model: {e.Message}", e);
        }
    }
}
