#!/usr/bin/env bash
# Ingest throughput, dataflow-level: raw JSONL -> Parquet shards with one worker (one core), per corpus.
# Prints MB/s per core (text bytes / task seconds, and / wall seconds including process start) and peak RSS,
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
printf "%-28s %9s %10s %14s %14s %10s %14s\n" corpus "text MB" "task s" "MB/s/core" "MB/s (wall)" "RSS MB" "baseline MB/s"
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus")
  # Baseline: just decompress and split lines (what any reader must pay).
  start=$(date +%s.%N)
  if [[ "$corpus" == *.gz ]]; then zcat "$corpus" | wc -l >/dev/null; else wc -l "$corpus" >/dev/null; fi
  base_s=$(echo "$(date +%s.%N) - $start" | bc)
  rm -rf "$work/out"
  /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$dll" ingest -i "$corpus" -o "$work/out" --workers 1 --tasks 1 2>/dev/null
  read -r wall rss_kb < "$work/time"
  stats="$work/out/_dataflow/stages/ingest/stats.json"
  bytes=$(python3 -c "import json,sys; s=json.load(open('$stats')); print(s['counters']['bytes_in'])")
  task_s=$(python3 -c "import json,sys; s=json.load(open('$stats')); print(s['values']['seconds'])")
  python3 - "$name" "$bytes" "$task_s" "$wall" "$rss_kb" "$base_s" <<'PY'
import sys
name, b, t, w, rss, base = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
mb = b / 1e6
print(f"{name:<28} {mb:9.1f} {t:10.2f} {mb / t:14.1f} {mb / w:14.1f} {rss / 1024:10.0f} {mb / base:14.1f}")
PY
done
