using DataFlow.Engine.Execution;
using DataFlow.Engine.Jobs;

namespace DataFlow.Tests.Engine;

/// <summary>
/// The run summary and <c>dataflow status</c> tables at a given console width: every line fits, no row wraps, training
/// stages show steps, tokens, tok/s, loss and their held-out numbers instead of document columns. The expected tables
/// are written out by hand from the stats below (column width = widest cell or header, two spaces between columns;
/// at 80 columns the least important columns go first: MB out for data, then MFU and wall s for training).
/// </summary>
public sealed class RunSummaryTests
{
    private static StageSummary DataStage()
    {
        var stats = new TaskStats();
        stats.Add("docs_in", 1_234_567);
        stats.Add("docs_out", 1_200_000);
        stats.Add("dropped.exact_duplicate", 30_000);
        stats.Add("dropped.minhash_duplicate", 4_567);
        stats.Add("docs_rejected", 0);
        stats.Add("bytes_in", 2_345_600_000);
        stats.Add("bytes_out", 2_300_000_000);
        return new StageSummary("dedup.signatures", "dedup", Training: false, "16", stats, 61.5);
    }

    private static StageSummary Pretrain()
    {
        var stats = new TaskStats();
        TrainingStats.Record(stats, firstStep: 0, steps: 250, tokens: 512_000, seconds: 512_000 / 11_267.4, lastLoss: 1.8794,
            [new("val_loss", 2.0571), new("val_ppl", 7.82)]);
        return new StageSummary("pretrain", "pretrain", Training: true, "1", stats, 45.7);
    }

    private static StageSummary Ppo()
    {
        var stats = new TaskStats();
        TrainingStats.Record(stats, firstStep: 0, steps: 30, tokens: 143_872, seconds: 143_872 / 2_284.2, lastLoss: -0.0031,
            [new("eval_reward", -1.2081), new("eval_kl", 0.2749), new("eval_true_score", 0.503), new("eval_prompts", 300)], mfu: 0.412);
        return new StageSummary("ppo", "ppo", Training: true, "1", stats, 72.9);
    }

    [Fact]
    public void At_120_columns_every_column_shows()
    {
        var lines = RunSummary.Render("DataFlow run summary", [DataStage(), Pretrain(), Ppo()], 120);
        Assert.Equal(
        [
            "DataFlow run summary",
            "stage             tasks    docs in   docs out  dropped  rejected   MB in  MB out  wall s",
            "────────────────  ─────  ─────────  ─────────  ───────  ────────  ──────  ──────  ──────",
            "dedup.signatures     16  1,234,567  1,200,000   34,567         0  2345.6  2300.0    61.5",
            "",
            "stage     steps   tokens   tok/s    loss  held-out                               MFU  wall s",
            "────────  ─────  ───────  ──────  ──────  ───────────────────────────────────  ─────  ──────",
            "pretrain    250  512,000  11,267   1.879  val loss 2.057                                45.7",
            "ppo          30  143,872   2,284  -0.003  reward -1.208, KL 0.275, true 50.3%  41.2%    72.9",
        ], lines);
    }

    [Fact]
    public void At_80_columns_the_least_important_columns_go_and_folded_ones_are_listed_under_the_table()
    {
        var lines = RunSummary.Render("DataFlow run summary", [DataStage(), Pretrain(), Ppo()], 80);
        Assert.Equal(
        [
            "DataFlow run summary",
            "stage             tasks    docs in   docs out  dropped  rejected   MB in  wall s",
            "────────────────  ─────  ─────────  ─────────  ───────  ────────  ──────  ──────",
            "dedup.signatures     16  1,234,567  1,200,000   34,567         0  2345.6    61.5",
            "",
            "stage     steps   tokens   tok/s    loss  held-out",
            "────────  ─────  ───────  ──────  ──────  ───────────────────────────────────",
            "pretrain    250  512,000  11,267   1.879  val loss 2.057",
            "ppo          30  143,872   2,284  -0.003  reward -1.208, KL 0.275, true 50.3%",
            "  ppo: MFU 41.2%",
        ], lines);
        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} > 80: {line}"));
        Assert.Equal(80, lines[1].Length); // the data table fills the width exactly once MB out is gone
    }

    [Fact]
    public void Narrower_than_the_columns_that_must_stay_every_stage_becomes_a_list_wrapped_at_the_width()
    {
        // An item longer than a line (the held-out text) wraps between its words; the others between items.
        var lines = RunSummary.Render("DataFlow run summary", [DataStage(), Ppo()], 30);
        Assert.Equal(
        [
            "DataFlow run summary",
            "dedup.signatures: tasks 16,",
            "  docs in 1,234,567,",
            "  docs out 1,200,000,",
            "  dropped 34,567, rejected 0,",
            "  MB in 2345.6, MB out 2300.0,",
            "  wall s 61.5",
            "",
            "ppo: steps 30, tokens 143,872,",
            "  tok/s 2,284, loss -0.003,",
            "  held-out reward -1.208, KL",
            "  0.275, true 50.3%,",
            "  MFU 41.2%, wall s 72.9",
        ], lines);
        Assert.All(lines, line => Assert.True(line.Length <= 30, $"{line.Length} > 30: {line}"));
    }

    [Fact]
    public void Status_shows_type_done_and_slurm_states_and_blank_cells_for_stages_not_run_yet()
    {
        var rows = new[]
        {
            DataStage() with { Tasks = "16/16", Slurm = "done" },
            Pretrain() with { Tasks = "0/1", Stats = new TaskStats(), Seconds = 0, Slurm = "RUNNING 1" },
            Ppo() with { Tasks = "not planned", Stats = new TaskStats(), Seconds = 0, Slurm = "" },
        };
        var lines = RunSummary.Render("run /runs/x", rows, 120, status: true);
        Assert.Equal(
        [
            "run /runs/x",
            "stage             type    done    docs in   docs out  dropped  rejected   MB in  MB out  task s  slurm",
            "────────────────  ─────  ─────  ─────────  ─────────  ───────  ────────  ──────  ──────  ──────  ─────",
            "dedup.signatures  dedup  16/16  1,234,567  1,200,000   34,567         0  2345.6  2300.0    61.5  done",
            "",
            "stage     type             done  slurm",
            "────────  ────────  ───────────  ─────────",
            "pretrain  pretrain          0/1  RUNNING 1",
            "ppo       ppo       not planned",
        ], lines);
    }
}
