using DataFlow.Cli;
using DataFlow.Cli.Commands;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;
using DataFlow.Jobs.Training;
using Spectre.Console.Cli;

StartupTrace.Mark("main");
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: stop cleanly (running tasks abandon their temporaries; a rerun resumes). Second: exit now.
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("\nstopping: finishing nothing new, a rerun resumes from completed tasks (Ctrl-C again to kill)");
    cancellation.Cancel();
};

// Every command that loads a pipeline sees the data and the training stage types.
RunSession.DefaultCatalog = () => StandardStages.Create().AddTraining();

// Executors start one process per task (Slurm array elements, mpirun ranks): their exact command line skips the
// general parser, which would first build the model of every command below (docs/scaleout.md, "Start-up").
if (TaskLine.Parse(args) is { } task)
    return CliErrors.Run(() => TaskLine.Run(task, cancellation.Token), cancellation.Token);

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("dataflow");
    config.PropagateExceptions();
    config.AddCommand<RunCommand>("run").WithDescription("Run a pipeline YAML with the local executor (resumes an existing run folder).");
    config.AddCommand<TaskCommand>("task").WithDescription("Run exactly one task of a stage: the unit every executor launches.");
    config.AddCommand<SubmitCommand>("submit").WithDescription("Submit a pipeline to Slurm: one job array per stage, chained afterok (resumes).");
    config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel the Slurm jobs of a run; completed tasks stay complete.");
    config.AddBranch("export", export =>
    {
        export.AddCommand<ExportAirflowCommand>("airflow").WithDescription("Write an Airflow DAG: one task per stage calling the CLI (--slurm: a Slurm submission per stage).");
        export.AddCommand<ExportHfCommand>("hf").WithDescription("Model folder -> Hugging Face LlamaForCausalLM folder (adapter folder -> PEFT adapter).");
        export.AddCommand<ExportGgufCommand>("gguf").WithDescription("Write a model folder as GGUF (llama.cpp's llama architecture, tokenizer inside; --type f32|f16|bf16|q8_0).");
    });
    config.AddBranch("import", import => import.AddCommand<ImportHfCommand>("hf").WithDescription("Hugging Face LLaMA folder (safetensors, byte-level BPE) -> DataFlow model folder."));
    config.AddCommand<StatusCommand>("status").WithDescription("Per-stage progress and stats of a run folder.");
    config.AddCommand<EvalCommand>("eval").WithDescription("(Re)run a run's eval stage: perplexity, exact match, reward accuracy, PPO vs SFT win rate.");
    config.AddCommand<ReportCommand>("report").WithDescription("Write the run's static HTML report (RUN_DIR/report/index.html).");
    config.AddCommand<StagesCommand>("stages").WithDescription("List the stage types a pipeline may use.");
    config.AddCommand<PiiCommand>("pii").WithDescription("Detect and scrub personal data and secrets (tag, pseudonym, keep, drop per type).");
    config.AddCommand<IngestCommand>("ingest").WithDescription("Raw JSONL / JSONL.gz / JSONL.zst / Parquet / text files / WARC, WET, ARC web archives -> Parquet document shards.");
    config.AddCommand<ExtractCommand>("extract").WithDescription("HTML (web-archive pages) -> main text with line structure; title and lang as columns (docs/web.md).");
    config.AddCommand<UrlFilterCommand>("url-filter").WithDescription("Drop documents by URL: domain / URL block lists (UT1 layout), allow lists, banned words (docs/web.md).");
    config.AddCommand<TokenizeCommand>("tokenize").WithDescription("Documents -> packed, shuffled token shards (Parquet) with a manifest, train/validation split.");
    config.AddBranch("tokenizer", tokenizer => tokenizer.AddCommand<TokenizerTrainCommand>("train").WithDescription("Train a byte-level BPE (or character) tokenizer; writes tokenizer.json."));
    config.AddCommand<QualityCommand>("quality").WithDescription("Language ID and Gopher / C4 / FineWeb rules -> kept shards (+ removed/ with reasons).");
    config.AddCommand<ClassifyCommand>("classify").WithDescription("fastText model -> class and class_score per document; keep by a label's score or top fraction (docs/quality.md).");
    config.AddBranch("classifier", classifier =>
    {
        classifier.AddCommand<ClassifierTrainCommand>("train").WithDescription("Train a fastText classifier (.jsonl label/text or fastText-format text -> .bin that fastText loads).");
        classifier.AddCommand<ClassifierPredictCommand>("predict").WithDescription("Top-k labels with probabilities per line, as `fasttext predict-prob` prints them.");
        classifier.AddCommand<ClassifierTestCommand>("test").WithDescription("N, P@k and R@k of a fastText model on labelled examples, as `fasttext test` prints them.");
    });
    config.AddCommand<DedupCommand>("dedup").WithDescription("Exact and MinHash/LSH near-duplicate removal (signatures -> buckets -> clusters -> filter).");
    config.AddCommand<PerplexityCommand>("perplexity").WithDescription("Score documents with a trained language model (per-token and per-char perplexity); threshold or head/middle/tail buckets.");
    config.AddBranch("train", train =>
    {
        train.AddCommand<TrainPretrainCommand>("pretrain").WithDescription("Pretrain a LLaMA-style model on token shards (--resume continues exactly).");
        train.AddCommand<TrainSftCommand>("sft").WithDescription("Supervised fine-tuning (full or LoRA) on chat data; rerun resumes.");
        train.AddCommand<TrainRewardCommand>("reward").WithDescription("Reward model on preference pairs; rerun resumes.");
        train.AddCommand<TrainPpoCommand>("ppo").WithDescription("PPO (RLHF) from an SFT actor and a reward model; rerun resumes.");
    });
    config.AddCommand<GenerateCommand>("generate").WithDescription("Sample text from a checkpoint (KV cache; greedy, temperature, top-k, top-p; batched prompts).");
    config.AddBranch("sft", sft =>
    {
        sft.AddCommand<SftSynthCommand>("synth").WithDescription("Write the synthetic verifiable instruction set (SFT + preference pairs).");
        sft.AddCommand<SftPrepareCommand>("prepare").WithDescription("Chat JSONL -> templated, tokenized Parquet SFT shards (padded or packed) with a loss mask.");
    });
    config.AddBranch("reward", reward => reward.AddCommand<RewardPairsCommand>("pairs").WithDescription("Preference pairs from a policy's sampled mistakes on verifiable prompts."));
    config.AddBranch("lora", lora => lora.AddCommand<LoraMergeCommand>("merge").WithDescription("Fold LoRA adapters into their base model."));
    config.AddCommand<ChatCommand>("chat").WithDescription("Interactive chat with a model or adapter folder, streaming tokens.");
});
return CliErrors.Run(() => app.Run(args, cancellation.Token), cancellation.Token);
