namespace DataFlow.Trainer.Interop;

/// <summary>The ggml tensor types this exporter writes, with ggml's numeric codes (<c>enum ggml_type</c>).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
    BF16 = 30,
}
