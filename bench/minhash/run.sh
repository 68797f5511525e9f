#!/usr/bin/env bash
# MinHash dedup (4 stages) and JSONL in -> shards out, side by side with datatrove 0.10 in one run, whole processes on
# the same JSONL file, one task and one worker each; CPU seconds (user + sys) from /usr/bin/time, repeated and
# interleaved so every build sees the same machine load.
#   datatrove: pipelines.py minhash (signatures | buckets | cluster | filter -> JSONL) and pipelines.py rw (JSONL -> JSONL)
#   DataFlow:  dataflow dedup --minhash (signatures -> buckets -> clusters -> filter -> zstd Parquet) and dataflow ingest
# Usage: bash bench/minhash/run.sh [--repeat N] [--cli LABEL=DLL]... INPUT.jsonl WORK_DIR
#   --cli: a dataflow.dll to run (repeatable), e.g. a ReadyToRun publish (see docs/dedup.md) or another checkout's
#          build, optionally after environment settings: --cli 'nopgo=DOTNET_TieredPGO=0 /path/dataflow.dll';
#          default: this checkout's Release build (dotnet build -c Release src/DataFlow.Cli).
# Needs datatrove from source (../shared/peers/README.md; DATATROVE_PEER = its PEER_DIR).
# Prints one row per run and a summary: CPU s ranges, MB per CPU-second, ratios to datatrove, and the documents each
# removed / kept (DataFlow and datatrove use different hash functions, so the removed sets differ slightly).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
repeat=3
USAGE="bench/minhash/run.sh [--repeat N] [--cli LABEL=DLL]... INPUT.jsonl WORK_DIR"
DEFAULT_CLI="dataflow=$ROOT/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll"
source "$ROOT/bench/peer-common.sh"

# run LABEL WHAT COMMAND...: one whole process under /usr/bin/time; appends "LABEL WHAT cpu wall rss_mb" to results.
run() {
  local label=$1 what=$2; shift 2
  rm -rf "$WORK/out"
  /usr/bin/time -f 'TIME %e %U %S %M' -o "$WORK/time" "$@" > "$WORK/$label.$what.log" 2>&1
  read -r _ wall user sys rss < "$WORK/time"
  local cpu; cpu=$(python3 -c "print(f'{$user + $sys:.2f}')")
  local docs=""
  if [[ $what == minhash && $label == datatrove ]]; then
    docs=$(python3 -c "import json,sys; r=json.loads([l for l in open(sys.argv[1]) if l.startswith('RESULT ')][-1][7:]); print(f\"removed {r['docs_removed']} kept {r['docs_kept']}\")" "$WORK/$label.$what.log")
  elif [[ $what == minhash ]]; then
    docs=$(python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['counters']; print(f\"removed {c['docs_in'] - c['docs_out']} kept {c['docs_out']}\")" "$WORK/out/_dataflow/stages/dedup/stats.json")
  fi
  printf '%-12s %-8s %6s CPU s %7.1f MB/CPU-s  wall %6s s  RSS %5d MB  %s\n' "$label" "$what" "$cpu" \
    "$(python3 -c "print($MB / max($cpu, 1e-3))")" "$wall" $((rss / 1024)) "$docs"
  echo "$label $what $cpu" >> "$WORK/results"
}

echo "input: $MB MB of text ($IN); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= repeat; r++)); do
  run datatrove minhash "$DT_PY" "$PIPES" minhash "$INPUT" "$WORK/out"
  for c in "${clis[@]}"; do
    run "${c%%=*}" minhash $(cli "$c") dedup --minhash --input "$INPUT" --output "$WORK/out" --tasks 1 --workers 1
  done
  run datatrove rw "$DT_PY" "$PIPES" rw "$INPUT" "$WORK/out"
  for c in "${clis[@]}"; do
    run "${c%%=*}" ingest $(cli "$c") ingest --input "$INPUT" --output "$WORK/out" --tasks 1 --workers 1
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/results" "$MB" <<'PY'
import collections, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    label, what, cpu = line.split()
    rows[(label, what)].append(float(cpu))
mb = float(sys.argv[2])
peer = {"minhash": "datatrove", "ingest": "datatrove"}
for (label, what), cpus in sorted(rows.items(), key=lambda kv: (kv[0][1] == "rw" or kv[0][1] == "ingest", kv[0][0] != "datatrove")):
    line = f"{label:<12} {what:<8} CPU s {min(cpus):.2f}-{max(cpus):.2f}  {mb / max(cpus):.1f}-{mb / min(cpus):.1f} MB/CPU-s"
    ref = rows.get(("datatrove", "minhash" if what == "minhash" else "rw"))
    if label != "datatrove" and ref:
        # Ratio per run pair (same repeat, same load), reported as a range.
        ratios = [d / o for d, o in zip(ref, cpus)]
        line += f"  {min(ratios):.1f}-{max(ratios):.1f}x datatrove per CPU-second"
    print(line)
PY
