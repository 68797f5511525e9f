#!/usr/bin/env bash
# Wall time and peak RSS of every stage of a pipeline (default: the README's sample run), each stage run as its own
# `dataflow run --stage NAME` process so /usr/bin/time can attribute peak memory to it; then the whole run's total.
# Usage: bench/sample-run.sh [PIPELINE.yaml] [RUN_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pipeline="${1:-$root/conf/pipeline.sample.yaml}"
run_dir="${2:-$(mktemp -d)/run}"
cd "$root"
./dataflow stages >/dev/null
dll="$root/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll"
dotnet "$dll" run "$pipeline" --run-dir "$run_dir" --plan-only 2>/dev/null
mapfile -t stages < <(dotnet "$dll" status "$run_dir" --json 2>/dev/null | python3 -c "import json,sys; print('\n'.join(json.load(sys.stdin)))")
printf "%-22s %10s %10s\n" stage "wall s" "peak RSS MB"
total=0
for stage in "${stages[@]}"; do
  /usr/bin/time -f "%e %M" -o /tmp/sample-run.time dotnet "$dll" run "$pipeline" --run-dir "$run_dir" --stage "$stage" >/dev/null 2>/tmp/sample-run.log \
    || { echo "stage $stage failed:"; tail -5 /tmp/sample-run.log; exit 1; }
  read -r wall rss < /tmp/sample-run.time
  total=$(echo "$total + $wall" | bc)
  printf "%-22s %10.1f %10.0f\n" "$stage" "$wall" "$((rss / 1024))"
done
printf "%-22s %10.1f\n" total "$total"
echo "run folder: $run_dir"
