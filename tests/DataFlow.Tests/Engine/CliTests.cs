namespace DataFlow.Tests.Engine;

public class CliTests
{
    [Fact]
    public void On_error_fail_stops_with_exit_code_3_naming_file_and_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"ok\"}\n{\"text\": oops}\n");
        var result = CliProcess.Run(dir.Path, "ingest", "-i", "in.jsonl", "-o", "out", "--on-error", "fail");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{dir.File("in.jsonl")}:2: broken JSON", result.Stderr);
        Assert.False(File.Exists(dir.File("out/part-00000.parquet")));
    }

    [Fact]
    public void On_error_skip_writes_rejects_with_file_and_line_and_counts_them()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"ok\"}\n{\"id\":\"x\"}\n{\"text\":\"ok2\"}\n");
        var result = CliProcess.Run(dir.Path, "ingest", "-i", "in.jsonl", "-o", "out");
        Assert.Equal(0, result.ExitCode);
        var rejects = File.ReadAllText(dir.File("out/_dataflow/rejects/ingest/task-00000.jsonl"));
        Assert.Contains("\"line\":2", rejects);
        Assert.Contains("missing text field 'text'", rejects);
        var stats = File.ReadAllText(dir.File("out/_dataflow/stages/ingest/stats.json"));
        Assert.Contains("\"docs_rejected\": 1", stats);
        Assert.Contains("\"docs_out\": 2", stats);
    }

    [Fact]
    public void Bad_config_exits_2_with_file_line_and_key()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"ok\"}\n");
        File.WriteAllText(dir.File("p.yaml"), "stages:\n  - type: ingest\n    input: in.jsonl\n    taks: 2\n");
        var result = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("p.yaml:4: unknown key 'stages[0].taks' (did you mean 'tasks'?)", result.Stderr);
    }

    [Fact]
    public void Task_command_runs_exactly_one_task_and_status_reports_it()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 3; i++) File.WriteAllText(dir.File($"in{i}.jsonl"), $"{{\"text\":\"doc {i}\"}}\n");
        File.WriteAllText(dir.File("p.yaml"), "stages:\n  - type: ingest\n    input: in*.jsonl\n    tasks: 3\n");
        var unknown = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r", "--stage", "none");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no stage named 'none' (stages: ingest)", unknown.Stderr);
        var plan = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r", "--plan-only");
        Assert.Equal(0, plan.ExitCode);
        Assert.True(File.Exists(dir.File("r/stages/ingest/manifest.json")));
        var task = CliProcess.Run(dir.Path, "task", "--run", "r", "--stage", "ingest", "--index", "1");
        Assert.True(task.ExitCode == 0, task.Stderr);
        Assert.True(File.Exists(dir.File("r/stages/ingest/tasks/00001.done")));
        Assert.False(File.Exists(dir.File("r/stages/ingest/tasks/00000.done")));
        var status = CliProcess.Run(dir.Path, "status", "r", "--json");
        Assert.Equal(4, status.ExitCode);
        Assert.Contains("\"done\": 1", status.Stdout);
        var again = CliProcess.Run(dir.Path, "task", "--run", "r", "--stage", "ingest", "--index", "1");
        Assert.Contains("already complete", again.Stderr);
    }

    [Fact]
    public void Plan_only_prints_tasks_and_dedup_estimates_for_100_million_documents()
    {
        using var dir = new TempDir();
        for (var i = 0; i < 4; i++) File.WriteAllText(dir.File($"in{i}.jsonl"), $"{{\"text\":\"doc {i}\"}}\n");
        File.WriteAllText(dir.File("p.yaml"), "stages:\n  - type: dedup\n    input: in*.jsonl\n    tasks: 4\n");
        var plan = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r", "--plan-only", "--docs", "100000000");
        Assert.True(plan.ExitCode == 0, plan.Stderr);
        // Hand-computed: 14 + 1 partitions; 100M x 736 B = 68.5 GiB of signature files; 20M docs in pairs x 546 B = 10.2 GiB.
        Assert.Matches(@"dedup\.buckets\s+dedup\s+15\s+15", plan.Stdout);
        Assert.Matches(@"dedup\.signatures\s+4\s+68\s+\S+ MiB\s+68\.5 GiB", plan.Stdout);
        Assert.Matches(@"dedup\.clusters\s+1\s+4\s+10\.2 GiB", plan.Stdout);
        var bad = CliProcess.Run(dir.Path, "run", "p.yaml", "--run-dir", "r", "--docs", "5");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--plan-only", bad.Stdout + bad.Stderr);
    }

    [Fact]
    public void Help_is_available_for_every_command()
    {
        foreach (var command in new[] { "run", "task", "status", "ingest", "stages" })
        {
            var result = CliProcess.Run(AppContext.BaseDirectory, command, "--help");
            Assert.True(result.ExitCode == 0, $"{command}: {result.Stderr}");
            Assert.Contains("USAGE", result.Stdout);
        }
    }
}
