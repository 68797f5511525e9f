using DataFlow.Engine.Documents;
using DataFlow.Text.Chat;
using DataFlow.Trainer.Lora;
using DataFlow.Trainer.Model;

namespace DataFlow.Trainer.Sft;

/// <summary>Everything an SFT run needs; immutable and validated before the first step.</summary>
public sealed record SftConfig
{
    public required IReadOnlyList<string> Train { get; init; }

    /// <summary>Held-out conversations; when empty, the last <see cref="EvalFraction"/> of the training records.</summary>
    public IReadOnlyList<string> Eval { get; init; } = [];
    public double EvalFraction { get; init; } = 0.05;
    public ChatFormat Format { get; init; } = ChatFormat.Auto;
    public LossTarget LossOn { get; init; } = LossTarget.AssistantOnly;
    public int MaxTokens { get; init; } = 128;
    public OnError OnError { get; init; } = OnError.Skip;

    /// <summary>Model folder to start from (model_config.json + model.safetensors); null trains <see cref="Model"/> from scratch.</summary>
    public string? Init { get; init; }
    public ModelConfig? Model { get; init; }

    /// <summary>Tokenizer of a fresh model (a known name or a tokenizer JSON file); a model from <see cref="Init"/> brings its own.</summary>
    public string Tokenizer { get; init; } = "bytes";

    /// <summary>Null: full fine-tuning; set: base frozen, only adapters train.</summary>
    public LoraConfig? Lora { get; init; }

    public int MaxSteps { get; init; } = 500;
    public int BatchSize { get; init; } = 16;
    /// <summary>Micro-batches whose gradients are summed before one optimizer step.</summary>
    public int GradAccumSteps { get; init; } = 1;
    public double LearningRate { get; init; } = 1e-3;
    public double MinLrRatio { get; init; } = 0.1;
    public int WarmupSteps { get; init; } = 20;
    public double WeightDecay { get; init; } = 0.0;
    public double GradClip { get; init; } = 1.0;
    /// <summary>Steps between lines of metrics.jsonl and the console.</summary>
    public int LogEvery { get; init; } = 10;
    public int EvalEvery { get; init; } = 100;
    public int CheckpointEvery { get; init; } = 100;

    /// <summary>Checkpoints kept in OUTPUT/checkpoints (the newest; older ones are deleted once a newer one is in place).</summary>
    public int KeepLast { get; init; } = 1;

    /// <summary>Held-out conversations answered greedily at each eval (exact match and samples.jsonl).</summary>
    public int SampleCount { get; init; } = 64;
    public int MaxNewTokens { get; init; } = 16;
    public int Seed { get; init; } = 1;
    public int Threads { get; init; }

    /// <summary>Stop after this many steps of this invocation (the schedule still spans <see cref="MaxSteps"/>); 0 = run to the end. For resume tests.</summary>
    public int StopAfter { get; init; }
    public required string Output { get; init; }

    public SftConfig Validate()
    {
        void Check(bool ok, string problem) { if (!ok) throw new ArgumentException($"sft config: {problem}"); }
        Check(Train.Count > 0, "train lists no files");
        Check(KeepLast >= 1, "keep_last must be at least 1");
        Check(Init is not null || Model is not null, "set either init (a model folder) or model (sizes for a fresh model)");
        Check(MaxSteps > 0 && BatchSize > 0 && GradAccumSteps > 0 && LogEvery > 0 && EvalEvery > 0 && CheckpointEvery > 0,
            "max_steps, batch_size, grad_accum_steps, log_every, eval_every and checkpoint_every must be positive");
        Check(MinLrRatio is >= 0 and <= 1, "min_lr_ratio must be in [0, 1]");
        Check(LearningRate > 0, "learning_rate must be positive");
        Check(EvalFraction is >= 0 and < 1, "eval_fraction must be in [0, 1)");
        Check(MaxTokens > 2, "max_tokens must exceed 2");
        Lora?.Validate();
        return this;
    }
}
