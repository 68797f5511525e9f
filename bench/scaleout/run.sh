#!/usr/bin/env bash
# Scale-out benchmark, measured side by side in one run:
#   1. a data stage (ingest: JSONL -> Parquet, 8 tasks) with 1 vs 2 workers, locally (`dataflow run --workers K`)
#      and under Slurm (`dataflow submit --max-parallel K --wait`): wall time, MB/s, speedup;
#   2. data-parallel training with 1 vs 2 MPI ranks (mpirun, 1 libtorch thread per rank): tokens/s and the share
#      of each step spent in the gradient all-reduce;
#   3. the same for SFT through the CLI (`mpirun -np K dataflow train sft --distributed mpi`).
# Usage: bench/scaleout/run.sh [MB=24]   env REPEATS=2 (best of), PARTS="data train sft" (which sections)
#   (needs scripts/slurm-up.sh for the Slurm rows; Release builds are made here)
#   DATAFLOW_DLL: the dataflow.dll the data and SFT sections run (default: the plain Release build's apphost; the ReadyToRun
#     publish ./dataflow runs is src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
mb="${1:-24}"
REPEATS="${REPEATS:-2}"
PARTS=" ${PARTS:-data train sft} "
work="$(mktemp -d /tmp/dataflow-scaleout-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export TERM=dumb DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build "$repo/src/DataFlow.Cli" -c Release -v q -nologo >/dev/null
dotnet build "$repo/tests/DataFlow.Mpi.Harness" -c Release -v q -nologo >/dev/null
cli=("$repo/src/DataFlow.Cli/bin/Release/net10.0/dataflow")
[[ -n "${DATAFLOW_DLL:-}" ]] && cli=(dotnet "$DATAFLOW_DLL")
harness="$repo/tests/DataFlow.Mpi.Harness/bin/Release/net10.0/DataFlow.Mpi.Harness.dll"

if [[ "$PARTS" == *" data "* ]]; then
corpus="${DATAFLOW_SHARED:-$repo/../shared}/data/corpus/gutenberg-a8.jsonl.gz"
[ -f "$corpus" ] || corpus=/work/shared/data/corpus/gutenberg-a8.jsonl.gz
mkdir -p "$work/input"
python3 "$repo/bench/scaleout/make-shards.py" "$corpus" "$work/input" "$mb" 8
bytes=$(cat "$work"/input/*.jsonl | wc -c)
cat > "$work/pipeline.yaml" <<YAML
tasks: 8
stages:
  - type: ingest
    input: $work/input/*.jsonl
YAML

echo "load average at start: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores; times are the best of $REPEATS runs"
echo "== data stage: ingest, 8 tasks, $(awk "BEGIN {printf \"%.1f\", $bytes/1e6}") MB JSONL, $(nproc) cores"
printf '%-28s %8s %8s %8s\n' "executor" "wall s" "MB/s" "speedup"
measure() { # label, command... (best of REPEATS runs, each in a fresh run folder: machines here are shared)
  local label="$1"; shift
  local best=""
  for r in $(seq 1 "$REPEATS"); do
    local args=("$@"); args=("${args[@]/@RUN@/$work/run-$RANDOM-$r}")
    local t0 t1; t0=$(date +%s.%N); "${args[@]}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }; t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v best="$best" 'BEGIN { s = b - a; print (best == "" || s < best) ? s : best }')
  done
  awk -v l="$label" -v s="$best" -v by="$bytes" -v base="${BASE:-0}" \
    'BEGIN { printf "%-28s %8.2f %8.1f %8s\n", l, s, by / 1e6 / s, (base > 0 ? sprintf("%.2fx", base / s) : "1.00x") }'
  LAST=$best
}
BASE=0; measure "local, 1 worker" "${cli[@]}" run "$work/pipeline.yaml" --run-dir @RUN@ --workers 1; BASE=$LAST
measure "local, 2 workers" "${cli[@]}" run "$work/pipeline.yaml" --run-dir @RUN@ --workers 2
if [[ "$(scontrol ping 2>/dev/null || true)" == *UP* ]]; then
  BASE=0; measure "slurm, --max-parallel 1" "${cli[@]}" submit "$work/pipeline.yaml" --run-dir @RUN@ --max-parallel 1 --wait; BASE=$LAST
  measure "slurm, --max-parallel 2" "${cli[@]}" submit "$work/pipeline.yaml" --run-dir @RUN@ --max-parallel 2 --wait
else
  echo "(Slurm not running: scripts/slurm-up.sh; Slurm rows skipped)"
fi

fi

if [[ "$PARTS" == *" train "* ]]; then
echo
echo "== MPI data-parallel training: dim 128, 4 layers, seq 64, global batch 16, 20 steps, 1 thread per rank"
printf '%-28s %10s %10s %14s\n' "ranks" "tokens/s" "speedup" "all-reduce %"
train() { # ranks
  local out="$work/train-$1"
  mpirun --allow-run-as-root --oversubscribe -np "$1" -x TERM=dumb dotnet "$harness" train "$out" \
    --batch 16 --steps 20 --dim 128 --layers 4 --seq 64 --threads 1 >/dev/null 2>"$work/err" || { cat "$work/err" >&2; return 1; }
  python3 - "$out" "$1" "${TRAIN_BASE:-0}" <<'PY'
import json, sys
out, ranks, base = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
r = json.load(open(f"{out}/rank-0.json"))
tps = r["tokens_per_second"]
share = 100 * r["allreduce_seconds"] / r["seconds"]
print(f"{ranks:<28d} {tps:10.0f} {(tps / base if base else 1):9.2f}x {share:13.1f}%")
open(f"{out}/tps", "w").write(str(tps))
PY
}
TRAIN_BASE=0; train 1; TRAIN_BASE=$(cat "$work/train-1/tps")
train 2

fi

if [[ "$PARTS" == *" sft "* ]]; then
echo
echo "== MPI data-parallel SFT (dataflow train sft --distributed mpi): dim 128, 4 layers, global batch 16, 30 steps, 1 thread per rank"
printf '%-28s %10s %10s %14s\n' "ranks" "tokens/s" "speedup" "all-reduce %"
"${cli[@]}" sft synth -o "$work/sft-data" --train 2000 --eval 50 >/dev/null
sft() { # ranks
  local out="$work/sft-$1"
  cat > "$work/sft-$1.yaml" <<YAML
train: ['$work/sft-data/sft-train.jsonl']
eval: ['$work/sft-data/sft-eval.jsonl']
output: '$out'
model: { vocab_size: 262, dim: 128, layers: 4, heads: 4, context_length: 64 }
max_steps: 30
batch_size: 16
warmup_steps: 5
log_every: 5
eval_every: 1000
checkpoint_every: 1000
sample_count: 0
threads: 1
YAML
  mpirun --allow-run-as-root --oversubscribe -np "$1" -x TERM=dumb -x OMP_WAIT_POLICY=PASSIVE "${cli[@]}" train sft --config "$work/sft-$1.yaml" --distributed mpi \
    >"$work/sft-$1.log" 2>"$work/err" || { cat "$work/err" "$work/sft-$1.log" >&2; return 1; }
  python3 - "$out/metrics.jsonl" "$work/sft-$1.log" "$1" "${SFT_BASE:-0}" <<'PY'
import json, re, sys
metrics, log, ranks, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
rates = [r["tokens_per_s"] for r in map(json.loads, open(metrics)) if "tokens_per_s" in r][1:]  # the first window warms up
tps = sum(rates) / len(rates)
m = re.search(r"steps in ([0-9.]+) s, ([0-9.]+) s of them in gradient all-reduces", open(log).read())
share = 100 * float(m.group(2)) / float(m.group(1))
print(f"{ranks:<28d} {tps:10.0f} {(tps / base if base else 1):9.2f}x {share:13.1f}%")
open(metrics + ".tps", "w").write(str(tps))
PY
}
SFT_BASE=0; sft 1; SFT_BASE=$(cat "$work/sft-1/metrics.jsonl.tps")
sft 2
fi
