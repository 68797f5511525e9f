namespace DataFlow.Trainer.Tests.Interop;

/// <summary>A fact that needs llama.cpp: skipped with the reason when it is not installed, unless DATAFLOW_REQUIRE_LLAMA_CPP=1 (CI).</summary>
public sealed class LlamaCppFactAttribute : FactAttribute
{
    public LlamaCppFactAttribute()
    {
        if (LlamaCpp.Missing() is { } why && !LlamaCpp.Required) Skip = why;
    }
}
