using DataFlow.Engine.Config;
using DataFlow.Engine.Jobs;
using DataFlow.Jobs;

namespace DataFlow.Tests.Engine;

public class PipelineConfigTests
{
    private static ConfigException Fails(string yaml)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"x\"}\n");
        return Assert.Throws<ConfigException>(() => PipelineLoader.Load(yaml, "p.yaml", StandardStages.Create(), dir.Path));
    }

    [Fact]
    public void Unknown_stage_key_names_key_line_and_suggestion()
    {
        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    text_feild: body\n");
        Assert.Equal("p.yaml:4: unknown key 'stages[0].text_feild' (did you mean 'text_field'?)", e.Message);
    }

    [Fact]
    public void Unknown_top_level_key_is_rejected()
    {
        var e = Fails("wrokers: 2\nstages:\n  - type: ingest\n    input: in.jsonl\n");
        Assert.StartsWith("p.yaml:1: unknown key 'wrokers'", e.Message);
    }

    [Fact]
    public void Bad_value_names_key_line_and_value()
    {
        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    tasks: many\n");
        Assert.Equal("p.yaml:4: key 'stages[0].tasks': expected an integer, got 'many'", e.Message);
        e = Fails("stages:\n  - type: sample\n    fraction: 1.5\n");
        Assert.Contains("p.yaml:3: key 'stages[0].fraction': 1.5 is out of range", e.Message);
        e = Fails("on_error: ignore\nstages:\n  - type: ingest\n    input: in.jsonl\n");
        Assert.Contains("p.yaml:1: key 'on_error': expected one of skip, fail", e.Message);
    }

    [Fact]
    public void Stage_resources_are_read_per_stage_and_bad_ones_name_their_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"x\"}\n");
        var pipeline = PipelineLoader.Load(
            "stages:\n  - type: ingest\n    input: in.jsonl\n    resources: {cpus_per_task: 2, mem: 3G, time: \"1-02:00:00\", max_parallel: 1}\n  - type: sample\n    fraction: 1\n",
            "p.yaml", StandardStages.Create(), dir.Path);
        var ingest = pipeline.Stage("ingest").Resources;
        Assert.Equal((2, "3G", "1-02:00:00", 1, (string?)null), (ingest.CpusPerTask, ingest.Memory, ingest.TimeLimit, ingest.MaxParallel, ingest.Partition));
        Assert.Same(StageResources.None, pipeline.Stage("sample").Resources);

        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      cpus_per_tsak: 4\n");
        Assert.Equal("p.yaml:5: unknown key 'stages[0].resources.cpus_per_tsak' (did you mean 'cpus_per_task'?)", e.Message);
        e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      mem: lots\n");
        Assert.StartsWith("p.yaml:5: key 'stages[0].resources.mem': 'lots' is not a memory size", e.Message);
        e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      time: 1h\n");
        Assert.StartsWith("p.yaml:5: key 'stages[0].resources.time': '1h' is not a time limit", e.Message);
        e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      cpus_per_task: 0\n");
        Assert.Contains("p.yaml:5: key 'stages[0].resources.cpus_per_task'", e.Message);
    }

    [Fact]
    public void Ranks_above_one_on_a_data_stage_are_a_config_error_naming_the_key()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"x\"}\n");
        var pipeline = PipelineLoader.Load("stages:\n  - type: ingest\n    input: in.jsonl\n    resources: {ranks: 1, cpus_per_task: 2}\n",
            "p.yaml", StandardStages.Create(), dir.Path);
        Assert.Equal(1, pipeline.Stage("ingest").Resources.Ranks);
        Assert.Equal(1, StageResources.None.Ranks);

        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      cpus_per_task: 2\n      ranks: 2\n");
        Assert.Equal("p.yaml:6: key 'stages[0].resources.ranks': stage type 'ingest' runs each task as one process, so ranks must be 1 (only training stages run a task on several ranks)", e.Message);
        e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources: {ranks: 0}\n");
        Assert.Contains("p.yaml:4: key 'stages[0].resources.ranks'", e.Message);
    }

    [Fact]
    public void Tasks_per_job_is_read_and_a_bad_value_is_a_config_error_naming_the_key()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.jsonl"), "{\"text\":\"x\"}\n");
        var pipeline = PipelineLoader.Load("stages:\n  - type: ingest\n    input: in.jsonl\n    resources: {tasks_per_job: 8}\n",
            "p.yaml", StandardStages.Create(), dir.Path);
        Assert.Equal(8, pipeline.Stage("ingest").Resources.TasksPerJob);
        Assert.Equal(1, StageResources.None.TasksPerJob);

        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources: {tasks_per_job: 0}\n");
        Assert.Contains("p.yaml:4: key 'stages[0].resources.tasks_per_job'", e.Message);
        e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n    resources:\n      ranks: 2\n      tasks_per_job: 2\n");
        Assert.Equal("p.yaml:6: key 'stages[0].resources.tasks_per_job': a stage whose tasks run on 2 ranks runs one task per job; remove tasks_per_job or ranks", e.Message);
    }

    [Fact]
    public void Unknown_stage_type_lists_known_types()
    {
        var e = Fails("stages:\n  - type: ingset\n");
        Assert.Contains("p.yaml:2: key 'stages[0].type': unknown stage type 'ingset' (known:", e.Message);
    }

    [Fact]
    public void Input_that_matches_nothing_is_a_config_error_naming_the_stage()
    {
        var e = Fails("stages:\n  - type: ingest\n    input: missing/*.jsonl\n");
        Assert.Contains("stage 'ingest': input 'missing/*.jsonl' matches no files", e.Message);
    }

    [Fact]
    public void Invalid_yaml_names_the_line()
    {
        var e = Fails("stages:\n  - type: ingest\n   input: [unclosed\n");
        Assert.StartsWith("p.yaml:", e.Message);
        Assert.Contains("invalid YAML", e.Message);
    }

    [Fact]
    public void Duplicate_stage_names_are_rejected()
    {
        var e = Fails("stages:\n  - type: ingest\n    input: in.jsonl\n  - type: sample\n    name: ingest\n    fraction: 0.5\n");
        Assert.Contains("stage name 'ingest' is used twice", e.Message);
    }
}
