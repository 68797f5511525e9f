namespace DataFlow.Trainer.Tests.Interop;

/// <summary>A theory that needs llama.cpp: skipped with the reason when it is not installed, unless DATAFLOW_REQUIRE_LLAMA_CPP=1 (CI).</summary>
public sealed class LlamaCppTheoryAttribute : TheoryAttribute
{
    public LlamaCppTheoryAttribute()
    {
        if (LlamaCpp.Missing() is { } why && !LlamaCpp.Required) Skip = why;
    }
}
