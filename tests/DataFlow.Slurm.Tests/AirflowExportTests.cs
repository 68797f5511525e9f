using System.Text.Json;
using DataFlow.Engine.Jobs;

namespace DataFlow.Slurm.Tests;

/// <summary>
/// `dataflow export airflow`: the DAG compiles, its tasks follow the pipeline's stage order, and its commands run the
/// pipeline. Airflow itself is not installed here (no PyPI), so a minimal stand-in for the two Airflow names the DAG
/// imports records the tasks and edges and runs each task's rendered bash command in dependency order.
/// </summary>
public sealed class AirflowExportTests
{
    private const string AirflowStandIn = """
        import json, re, subprocess, sys, types

        class DAG:
            current = None
            def __init__(self, dag_id, params=None, **kwargs):
                self.dag_id, self.params, self.tasks = dag_id, params or {}, []
            def __enter__(self):
                DAG.current = self
                return self
            def __exit__(self, *exc):
                DAG.current = None

        class BashOperator:
            def __init__(self, task_id, bash_command, **kwargs):
                self.task_id, self.bash_command, self.downstream, self.upstream = task_id, bash_command, [], []
                self.dag = DAG.current
                self.dag.tasks.append(self)
            def __rshift__(self, other):
                self.downstream.append(other)
                other.upstream.append(self)
                return other
            def render(self):
                return re.sub(r"\{\{\s*params\.(\w+)\s*\}\}", lambda m: self.dag.params[m.group(1)], self.bash_command)

        airflow = types.ModuleType("airflow"); airflow.DAG = DAG
        operators = types.ModuleType("airflow.operators"); bash = types.ModuleType("airflow.operators.bash")
        bash.BashOperator = BashOperator
        sys.modules.update({"airflow": airflow, "airflow.operators": operators, "airflow.operators.bash": bash})

        namespace = {}
        exec(compile(open(sys.argv[1]).read(), sys.argv[1], "exec"), namespace)
        dag = namespace["dag"]
        order, ready = [], [t for t in dag.tasks if not t.upstream]
        while ready:                                   # topological order; a fan-out would show up as two ready tasks
            if len(ready) != 1: raise SystemExit(f"not a chain: {[t.task_id for t in ready]} ready at once")
            task = ready.pop()
            order.append(task.task_id)
            if sys.argv[2] == "run":
                subprocess.run(["bash", "-c", task.render()], check=True)
            ready += [t for t in task.downstream if all(u.task_id in order for u in t.upstream)]
        print(json.dumps({"dag_id": dag.dag_id, "order": order, "commands": [t.render() for t in dag.tasks]}))
        """;

    [PythonFact]
    public void ExportedDagCompilesFollowsStageOrderAndItsCommandsRunThePipeline() => ExportCompileAndRun(slurm: false);

    [SlurmFact]
    public void SlurmModeDagSubmitsEachStageToSlurmInOrder() => ExportCompileAndRun(slurm: true);

    private static void ExportCompileAndRun(bool slurm)
    {
        using var dir = new TestFolder();
        var corpus = dir.WriteCorpus(files: 2, docsPerFile: 30);
        var pipeline = dir.Write("pipeline.yaml", $"""
            run_dir: runs/airflow
            tasks: 2
            stages:
              - type: ingest
                input: {corpus}
              - type: sample
                fraction: 0.5
              - type: fault_injection
                name: last-stage
            """);
        var dag = dir.Sub("dags/dataflow_pipeline.py");
        string[] mode = slurm ? ["--slurm", "--slurm-args=--retries 1 --max-parallel 2"] : [];
        var export = CliProcess.Run(dir.Path, TimeSpan.FromMinutes(2), ["export", "airflow", pipeline, "-o", dag, .. mode]);
        Assert.True(export.ExitCode == 0, export.ToString());

        var compile = CliProcess.Exec("python3", ["-m", "py_compile", dag], dir.Path, TimeSpan.FromMinutes(1));
        Assert.True(compile.ExitCode == 0, compile.ToString());

        var standIn = dir.Write("airflow_stand_in.py", AirflowStandIn);
        var run = CliProcess.Exec("python3", [standIn, dag, "run"], dir.Path, TimeSpan.FromMinutes(4));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var result = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]);
        Assert.Equal(slurm ? "dataflow_pipeline_slurm" : "dataflow_pipeline", result.RootElement.GetProperty("dag_id").GetString());
        if (slurm) Assert.Contains("submit", result.RootElement.GetProperty("commands")[0].GetString());
        Assert.Equal(["ingest", "sample", "last-stage"], result.RootElement.GetProperty("order").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("--stage last-stage", result.RootElement.GetProperty("commands")[2].GetString());

        var folder = new RunFolder(dir.Sub("runs/airflow"));
        foreach (var stage in new[] { "ingest", "sample", "last-stage" })
        {
            var manifest = StageManifest.Load(folder.ManifestFile(stage));
            Assert.All(manifest.Tasks, t => Assert.True(folder.IsDone(stage, t.Index), $"{stage}[{t.Index}] not done"));
        }
        Assert.Equal(60, RunFolderRows.Read(folder.Root, "ingest").Values.Sum(r => r.Count));
        Assert.Equal(slurm, File.Exists(Path.Combine(folder.Root, "slurm", "submission.json")));
    }
}
