#!/usr/bin/env bash
# Sentence dedup side by side: DataFlow (`dataflow dedup --sentences 3`, one task, one worker) and datatrove 0.10's
# SentenceDedup (bench/sentence-dedup/datatrove_sentence.py, one task, one worker), whole processes, on the same JSONL
# file; CPU seconds (user + sys) from /usr/bin/time. Then the agreement of the removed text.
# Usage: bash bench/sentence-dedup/run.sh INPUT.jsonl WORK_DIR   (after setup.sh; DATATROVE_PEER = its PEER_DIR)
# Needs: dotnet build -c Release src/DataFlow.Cli bench/DataFlow.Bench.Dedup
# DATAFLOW_DLL: the dataflow.dll to time (default: the plain Release build; ./dataflow runs the ReadyToRun publish,
#   src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll).
set -euo pipefail
IN=$(readlink -f "$1"); WORK=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$WORK"; mkdir -p "$WORK/in"
ln -s "$IN" "$WORK/in/$(basename "$IN")"   # datatrove wants the file alone in its folder
source "$ROOT/../shared/peers/datatrove/env.sh" 2>/dev/null || source /work/shared/peers/datatrove/env.sh
MB=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['text'].encode()) for l in open(sys.argv[1]))/1e6)" "$IN")
DF=(dotnet "${DATAFLOW_DLL:-$ROOT/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll}")
cpu() { awk '/^TIME/ {printf "%.2f", $3 + $4}' "$1"; }
/usr/bin/time -f 'TIME %e %U %S %M' "${DF[@]}" dedup --input "$WORK/in/$(basename "$IN")" \
  --output "$WORK/dataflow" --sentences 3 --tasks 1 --workers 1 > "$WORK/dataflow.log" 2>&1
# The same with uncompressed Parquet (datatrove writes uncompressed JSONL): the output codec's share of the cost.
printf 'compression: none\n' > "$WORK/none.yaml"
/usr/bin/time -f 'TIME %e %U %S %M' "${DF[@]}" dedup --input "$WORK/in/$(basename "$IN")" \
  --output "$WORK/dataflow-none" --sentences 3 --tasks 1 --workers 1 --config "$WORK/none.yaml" > "$WORK/dataflow-none.log" 2>&1
/usr/bin/time -f 'TIME %e %U %S %M' "$DT_PY" "$ROOT/bench/sentence-dedup/datatrove_sentence.py" "$WORK/in/$(basename "$IN")" "$WORK/datatrove" > "$WORK/datatrove.log" 2>&1
D=$(cpu "$WORK/dataflow.log"); T=$(cpu "$WORK/datatrove.log")
echo "input: $MB MB of text"
echo "DataFlow:  $D CPU s, $(python3 -c "print(round($MB/$D,1))") MB/s per core, peak RSS $(awk '/^TIME/ {print int($5/1024)}' "$WORK/dataflow.log") MB"
echo "datatrove: $T CPU s, $(python3 -c "print(round($MB/$T,1))") MB/s per core, peak RSS $(awk '/^TIME/ {print int($5/1024)}' "$WORK/datatrove.log") MB"
N=$(cpu "$WORK/dataflow-none.log")
echo "DataFlow, uncompressed Parquet: $N CPU s, $(python3 -c "print(round($MB/$N,1))") MB/s per core"
echo "ratio: $(python3 -c "print(round($T/$D,1))")x per core (uncompressed output: $(python3 -c "print(round($T/$N,1))")x)"
"$ROOT/bench/DataFlow.Bench.Dedup/bin/Release/net10.0/DataFlow.Bench.Dedup" sentence-agreement "$IN" "$WORK/datatrove/out/00000.jsonl" "$WORK/dataflow"
