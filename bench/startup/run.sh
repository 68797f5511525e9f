#!/usr/bin/env bash
# Start-up benchmark: the plain `dotnet build` of the CLI (JIT at start-up) against the ReadyToRun publish that
# ./dataflow runs, side by side in one run, alternating the two builds in every repeat (the machine is shared):
#   1. `dataflow --help`: wall and CPU seconds (user + sys) of the whole process;
#   2. `dataflow task`, task 0 of the `sample` stage of conf/scaleout/sample.yaml (the committed corpus): CPU seconds
#      from process start to the first document processed (DATAFLOW_STARTUP_TRACE=1) and of the whole process;
#   3. with THROUGHPUT_INPUT=FILE.jsonl: `dataflow dedup --sentences 3 --tasks 1 --workers 1` on it (kernels must not
#      slow down: precompiled code is rejitted when hot, but loops run once stay precompiled).
#   With BASELINE=DLL (e.g. a copy of an earlier ReadyToRun publish folder's dataflow.dll) that build runs too, in the
#   same alternation, and the table adds its min / median and the baseline/R2R ratio (before vs after in one run).
# Usage: bench/startup/run.sh [REPEATS=5]      prints min / median per row and the plain/R2R ratio of the medians.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
repeats="${1:-5}"
work="$(mktemp -d /tmp/dataflow-startup-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build "$repo/src/DataFlow.Cli/DataFlow.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
"$repo/dataflow" --help >/dev/null # publishes the ReadyToRun build when stale
plain="$repo/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll"
r2r="$repo/src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll"
baseline="${BASELINE:-}"
builds=(plain r2r)
if [[ -n "$baseline" ]]; then [[ -f "$baseline" ]] || { echo "BASELINE=$baseline: no such file" >&2; exit 2; }; builds+=(baseline); fi
(cd "$repo" && dotnet "$r2r" run conf/scaleout/sample.yaml --run-dir "$work/run" >/dev/null 2>&1)
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $repeats repeats, builds alternating (${builds[*]})"

t() { /usr/bin/time -f 'TIME %e %U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; }
cpu() { awk '/^TIME/ {printf "%.3f", $3 + $4}' "$work/time"; }
wall() { awk '/^TIME/ {printf "%.3f", $2}' "$work/time"; }
: >"$work/rows"
for r in $(seq 1 "$repeats"); do
  for build in "${builds[@]}"; do
    dll=${!build}
    t dotnet "$dll" --help
    echo "help-wall $build $(wall)" >>"$work/rows"; echo "help-cpu $build $(cpu)" >>"$work/rows"
    rm -f "$work/run/stages/sample/tasks/00000.done"
    DATAFLOW_STARTUP_TRACE=1 t dotnet "$dll" task --run "$work/run" --stage sample --index 0
    echo "task-first-doc-cpu $build $(awk '/startup: first-document/ {print $7; exit}' "$work/err")" >>"$work/rows"
    echo "task-first-doc-wall $build $(awk '/startup: first-document/ {print $4; exit}' "$work/err")" >>"$work/rows"
    echo "task-whole-cpu $build $(cpu)" >>"$work/rows"
    if [[ "$r" == 1 ]]; then grep -h '^startup:' "$work/err" | sed "s/^/  $build task, repeat 1: /" >&2; fi
    if [[ -n "${THROUGHPUT_INPUT:-}" ]]; then
      rm -rf "$work/dedup"
      t dotnet "$dll" dedup --input "$THROUGHPUT_INPUT" --output "$work/dedup" --sentences 3 --tasks 1 --workers 1
      echo "sentence-dedup-cpu $build $(cpu)" >>"$work/rows"
    fi
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    what, build, value = line.split()
    rows.setdefault(what, {}).setdefault(build, []).append(float(value))
base = any("baseline" in b for b in rows.values())
head = f"{'seconds':22} {'plain min':>10} {'plain med':>10} {'R2R min':>10} {'R2R med':>10} {'plain/R2R':>10}"
print(head + (f" {'base min':>10} {'base med':>10} {'base/R2R':>10}" if base else ""))
for what, builds in rows.items():
    p, r = builds["plain"], builds["r2r"]
    line = (f"{what:22} {min(p):10.3f} {statistics.median(p):10.3f} {min(r):10.3f} {statistics.median(r):10.3f} "
            f"{statistics.median(p) / statistics.median(r):9.2f}x")
    if base:
        b = builds["baseline"]
        line += f" {min(b):10.3f} {statistics.median(b):10.3f} {statistics.median(b) / statistics.median(r):9.2f}x"
    print(line)
PY
