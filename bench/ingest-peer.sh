#!/usr/bin/env bash
# JSONL in -> shards out, whole processes side by side with datatrove 0.10 in one run (issue 22): datatrove's
# `pipelines.py rw` (JsonlReader -> JsonlWriter, plain JSONL out) beside `dataflow ingest` (zstd Parquet out) of one
# or more builds, one task and one worker each, interleaved and repeated so all see the same machine load. Also runs
# every build on a one-line file: the fixed cost of a process (start-up, summary, exit) that no input size removes.
# CPU seconds = user + sys of the whole process (/usr/bin/time); ratios are per repeat (same load), as ranges.
# Usage: bash bench/ingest-peer.sh [--repeat N] [--cli LABEL=DLL]... INPUT.jsonl WORK_DIR
#   --cli: a dataflow.dll (repeatable), optionally after environment settings: --cli 'x=DOTNET_Foo=0 /path/dataflow.dll';
#          default: this checkout's ReadyToRun publish (what ./dataflow runs; `./dataflow --help` builds it).
# Needs datatrove from source (../shared/peers/README.md; DATATROVE_PEER = its PEER_DIR).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
repeat=5
USAGE="bench/ingest-peer.sh [--repeat N] [--cli LABEL=DLL]... INPUT.jsonl WORK_DIR"
DEFAULT_CLI="dataflow=$ROOT/src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll"
source "$ROOT/bench/peer-common.sh"
printf '{"id":"1","text":"one line"}\n' > "$WORK/one.jsonl"

# run LABEL WHAT COMMAND...: one whole process; appends "REPEAT LABEL WHAT CPU" to the results.
run() {
  local label=$1 what=$2; shift 2
  rm -rf "$WORK/out"
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$@" > "$WORK/$label.$what.log" 2>&1 || { cat "$WORK/$label.$what.log" >&2; exit 1; }
  read -r wall user sys rss < "$WORK/time"
  local cpu; cpu=$(python3 -c "print(f'{$user + $sys:.3f}')")
  printf '%-14s %-6s %6s CPU s  wall %6s s  RSS %5d MB\n' "$label" "$what" "$cpu" "$wall" $((rss / 1024))
  echo "$r $label $what $cpu" >> "$WORK/results"
}

echo "input: $MB MB of text ($IN); load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= repeat; r++)); do
  run datatrove rw "$DT_PY" "$PIPES" rw "$INPUT" "$WORK/out"
  for c in "${clis[@]}"; do
    run "${c%%=*}" ingest $(cli "$c") ingest --input "$INPUT" --output "$WORK/out" --tasks 1 --workers 1
    run "${c%%=*}" one $(cli "$c") ingest --input "$WORK/one.jsonl" --output "$WORK/out" --tasks 1 --workers 1
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/results" "$MB" <<'PY'
import collections, statistics, sys
cpu = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    r, label, what, c = line.split()
    cpu[(label, what)][r] = float(c)
mb = float(sys.argv[2])
peer = cpu[("datatrove", "rw")]
def span(v): return f"{min(v):.3f}-{max(v):.3f} (median {statistics.median(v):.3f})"
print(f"datatrove rw   CPU s {span(list(peer.values()))}  {mb / statistics.median(peer.values()):.1f} MB per CPU-s")
for (label, what), runs in cpu.items():
    if label == "datatrove": continue
    line = f"{label:<14} {what:<6} CPU s {span(list(runs.values()))}"
    if what == "ingest":
        ratios = [peer[r] / c for r, c in runs.items()]
        line += f"  {mb / statistics.median(runs.values()):.1f} MB per CPU-s  {min(ratios):.2f}-{max(ratios):.2f}x datatrove (median {statistics.median(ratios):.2f}x)"
    print(line)
PY
