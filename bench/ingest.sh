#!/usr/bin/env bash
# Ingest throughput, dataflow-level: raw JSONL -> Parquet shards with one worker (one core), per corpus.
# Prints text MB per task-second (wall time of the one task), per CPU-second of the whole process (start-up, JIT and
# GC included: the per-core figure that a loaded machine does not distort), the same net of the process's fixed cost
# (CPU of ingesting a one-line file: runtime start, JIT, config, summary table), per wall second, and peak RSS,
# beside a read-only baseline (decompress + count lines) measured in the same run.
# Usage: bench/ingest.sh [--against REF|DIR] [--repeat N] [CORPUS ...]
#   --against: also run another build (a git ref, built in a temporary worktree, or a checkout whose CLI is built),
#              interleaved with this one so both see the same machine load.
#   default corpora: ../shared gutenberg + the make-bench-corpus.sh corpus, each alone and four times over in one
#   process (a folder of four links: a corpus-scale task, where the process's fixed start-up cost is amortized).
#   A CORPUS may be a file or a folder (all its files are one task's input).
#   DATAFLOW_DLL: the dataflow.dll to time as "this" (default: the plain Release build; the ReadyToRun publish ./dataflow
#     runs is src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${DATAFLOW_SHARED:-$root/../shared}"
against=""
repeat=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --against) against="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) break ;;
  esac
done
corpora=("$@")
if [[ ${#corpora[@]} -eq 0 ]]; then
  bench_dir="${BENCH_CORPUS:-/tmp/benchcorpus}"
  [[ -f "$bench_dir/corpus.jsonl" ]] || bash "$shared/scripts/make-bench-corpus.sh" "$bench_dir" >/dev/null
  corpora=("$shared/data/corpus/gutenberg-a8.jsonl.gz" "$bench_dir/corpus.jsonl")
fi
work=$(mktemp -d)
if [[ $# -eq 0 ]]; then
  for corpus in "${corpora[@]}"; do
    folder="$work/$(basename "$corpus" | cut -d. -f1)-x4"
    mkdir -p "$folder"
    for k in 1 2 3 4; do ln -s "$corpus" "$folder/copy$k.${corpus#*.}"; done
    corpora+=("$folder")
  done
fi
cleanup() {
  [[ -d "$work/against" ]] && git -C "$root" worktree remove --force "$work/against" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

"$root/dataflow" stages >/dev/null
builds=("this=${DATAFLOW_DLL:-$root/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll}")
if [[ -n "$against" ]]; then
  other="$against"
  if [[ ! -d "$against" ]]; then
    other="$work/against"
    git -C "$root" worktree add --detach "$other" "$against" >/dev/null 2>&1
  fi
  dotnet build "$other/src/DataFlow.Cli/DataFlow.Cli.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
  builds=("$(basename "$against")=$other/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll" "${builds[@]}")
fi

# CPU seconds (user + sys) of one ingest run; leaves /usr/bin/time's fields in $work/time.
ingest() {
  rm -rf "$work/out"
  local input="$2"
  [[ -d "$input" ]] && input="$input/*"
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" dotnet "$1" ingest -i "$input" -o "$work/out" --workers 1 --tasks 1 >/dev/null 2>&1
}

printf '{"id":"1","text":"one line"}\n' > "$work/one.jsonl"
declare -A fixed
for build in "${builds[@]}"; do
  ingest "${build#*=}" "$work/one.jsonl"
  ingest "${build#*=}" "$work/one.jsonl" # the second run, with the file cache warm
  read -r _ _ user_s sys_s < "$work/time"
  fixed[$build]=$(python3 -c "print(f'{$user_s + $sys_s:.2f}')")
  echo "${build%%=*}: fixed cost of a dataflow ingest process (one-line file): ${fixed[$build]} CPU s"
done

printf "%-22s %-14s %8s %7s %6s %10s %9s %13s %10s %7s %9s\n" corpus build "text MB" "task s" "CPU s" "MB/task-s" "MB/CPU-s" "MB/CPU-s net" "MB/s wall" "RSS MB" "base MB/s"
for corpus in "${corpora[@]}"; do
  name=$(basename "$corpus")
  # Baseline: just decompress and split lines (what any reader must pay).
  start=$(date +%s.%N)
  files=("$corpus"); [[ -d "$corpus" ]] && files=("$corpus"/*)
  if [[ "$corpus" == *.gz || "${files[0]}" == *.gz ]]; then zcat "${files[@]}" | wc -l >/dev/null; else cat "${files[@]}" | wc -l >/dev/null; fi
  base_s=$(echo "$(date +%s.%N) - $start" | bc)
  for ((r = 0; r < repeat; r++)); do
    for build in "${builds[@]}"; do
      ingest "${build#*=}" "$corpus"
      read -r wall rss_kb user_s sys_s < "$work/time"
      stats="$work/out/_dataflow/stages/ingest/stats.json"
      python3 - "$name" "${build%%=*}" "$stats" "$wall" "$rss_kb" "$base_s" "$user_s" "$sys_s" "${fixed[$build]}" <<'PY'
import json, sys
name, build, stats = sys.argv[1:4]
w, rss, base, user, sys_s, fixed = float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9])
s = json.load(open(stats))
mb, t, cpu = s["counters"]["bytes_in"] / 1e6, s["values"]["seconds"], user + sys_s
print(f"{name:<22} {build[:14]:<14} {mb:8.1f} {t:7.2f} {cpu:6.2f} {mb / t:10.1f} {mb / cpu:9.1f} {mb / max(cpu - fixed, 1e-3):13.1f} {mb / w:10.1f} {rss / 1024:7.0f} {mb / base:9.1f}")
PY
    done
  done
done
