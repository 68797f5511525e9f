using DataFlow.Cli;
using DataFlow.Cli.Commands;
using Spectre.Console.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: stop cleanly (running tasks abandon their temporaries; a rerun resumes). Second: exit now.
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("\nstopping: finishing nothing new, a rerun resumes from completed tasks (Ctrl-C again to kill)");
    cancellation.Cancel();
};

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("dataflow");
    config.PropagateExceptions();
    config.AddCommand<RunCommand>("run").WithDescription("Run a pipeline YAML with the local executor (resumes an existing run folder).");
    config.AddCommand<TaskCommand>("task").WithDescription("Run exactly one task of a stage: the unit every executor launches.");
    config.AddCommand<StatusCommand>("status").WithDescription("Per-stage progress and stats of a run folder.");
    config.AddCommand<StagesCommand>("stages").WithDescription("List the stage types a pipeline may use.");
    config.AddCommand<IngestCommand>("ingest").WithDescription("Raw JSONL / JSONL.gz / JSONL.zst / Parquet / text files -> Parquet document shards.");
    config.AddBranch("train", train => { train.SetDescription("Train a model (sft, reward, ppo)."); train.AddCommand<TrainSftCommand>("sft").WithDescription("Supervised fine-tuning (full or LoRA) on chat data.");  train.AddCommand<TrainRewardCommand>("reward").WithDescription("Reward model on preference pairs.");  train.AddCommand<TrainPpoCommand>("ppo").WithDescription("PPO (RLHF) from an SFT actor and a reward model."); });
    config.AddBranch("sft", sft => sft.AddCommand<SftSynthCommand>("synth").WithDescription("Write the synthetic verifiable instruction set (SFT + preference pairs)."));
    config.AddBranch("lora", lora => lora.AddCommand<LoraMergeCommand>("merge").WithDescription("Fold LoRA adapters into their base model."));
    config.AddCommand<ChatCommand>("chat").WithDescription("Interactive chat with a model or adapter folder, streaming tokens.");
});
return CliErrors.Run(() => app.Run(args, cancellation.Token), cancellation.Token);
