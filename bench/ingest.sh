#!/usr/bin/env bash
# Ingest throughput, dataflow-level: raw JSONL -> Parquet shards with one worker (one core), per corpus.
# Prints text MB per task-second (wall time of the one task), per CPU-second of the whole process (start-up, JIT and
# GC included: the per-core figure that a loaded machine does not distort), per wall second, and peak RSS,
# beside a read-only baseline (decompress + count lines) measured in the same run.
# Usage: bench/ingest.sh [CORPUS ...]   default: ../shared gutenberg + the make-bench-corpus.sh corpus
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${DATAFLOW_SHARED:-$root/../shared}"
"$root/dataflow" stages >/dev/null
dll="$root/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll"
corpora=("$@")
if [[ ${#corpora[@]} -eq 0 ]]; then
  bench_dir="${BENCH_CORPUS:-/tmp/benchcorpus}"
  [[ -f "$bench_dir/corpus.jsonl" ]] || bash "$shared/scripts/make-bench-corpus.sh" "$bench_dir" >/dev/null
  corpora=("$shared/data/corpus/gutenberg-a8.jsonl.gz" "$bench_dir/corpus.jsonl")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf "%-26s %8s %8s %8s %12s %12s %12s %8s %12s\n" corpus "text MB" "task s" "CPU s" "MB/task-s" "MB/CPU-s" "MB/s wall" "RSS MB" "baseline MB/s"
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus")
  # Baseline: just decompress and split lines (what any reader must pay).
  start=$(date +%s.%N)
  if [[ "$corpus" == *.gz ]]; then zcat "$corpus" | wc -l >/dev/null; else wc -l "$corpus" >/dev/null; fi
  base_s=$(echo "$(date +%s.%N) - $start" | bc)
  rm -rf "$work/out"
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" dotnet "$dll" ingest -i "$corpus" -o "$work/out" --workers 1 --tasks 1 2>/dev/null
  read -r wall rss_kb user_s sys_s < "$work/time"
  stats="$work/out/_dataflow/stages/ingest/stats.json"
  bytes=$(python3 -c "import json,sys; s=json.load(open('$stats')); print(s['counters']['bytes_in'])")
  task_s=$(python3 -c "import json,sys; s=json.load(open('$stats')); print(s['values']['seconds'])")
  python3 - "$name" "$bytes" "$task_s" "$wall" "$rss_kb" "$base_s" "$user_s" "$sys_s" <<'PY'
import sys
name, b, t, w, rss, base = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
cpu = float(sys.argv[7]) + float(sys.argv[8])
mb = b / 1e6
print(f"{name:<26} {mb:8.1f} {t:8.2f} {cpu:8.2f} {mb / t:12.1f} {mb / cpu:12.1f} {mb / w:12.1f} {rss / 1024:8.0f} {mb / base:12.1f}")
PY
done
