namespace DataFlow.Slurm.Tests;

/// <summary>A fact that needs python3 (to compile and evaluate a generated Airflow DAG); skipped when it is missing.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "python3")));
        if (!found) Skip = "python3 is not installed";
    }
}
