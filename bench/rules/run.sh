#!/usr/bin/env bash
# Whole processes side by side in ONE run: datatrove 0.10 (from source, /work/shared/peers/datatrove/pipelines.py)
# and `dataflow` on the same JSONL input, one task, one worker each, for the quality rule chain (Gopher repetition ->
# Gopher quality -> C4, datatrove's defaults) and PII. Prints CPU seconds (user + sys of /usr/bin/time), MB per
# CPU-second and the ratio datatrove CPU s / dataflow CPU s. Also times `dataflow` on a one-document input (start-up
# and fixed costs) so the net figure is visible. Never in CI.
# usage: bench/rules/run.sh [INPUT=/tmp/dedup-benchcorpus/corpus.jsonl] [OUT=/tmp/rules-bench] [REPEATS=2]
#   INPUT: e.g. the ~40 MB bench corpus of /work/shared/scripts/make-bench-corpus.sh
#   DATATROVE_PEER: the folder setup.sh made (default /tmp/dt-sent); SKIP_DATATROVE=1 times only dataflow.
#   DATAFLOW_DLL: the dataflow.dll to time (default: the plain Release build; the ReadyToRun publish ./dataflow runs is
#     src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll).
#   BASE_DLL: another build's dataflow.dll (e.g. of the commit before a change), timed in the same loop ("before").
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
INPUT=$(realpath "${1:-/tmp/dedup-benchcorpus/corpus.jsonl}"); OUT=${2:-/tmp/rules-bench}; REPEATS=${3:-2}
PEERS=${PEERS:-/work/shared/peers/datatrove}
export DATATROVE_PEER=${DATATROVE_PEER:-/tmp/dt-sent}
rm -rf "$OUT"; mkdir -p "$OUT/in" "$OUT/one"
ln -s "$INPUT" "$OUT/in/corpus.jsonl"              # datatrove's reader needs the file alone in its folder
head -n 1 "$INPUT" >"$OUT/one/one.jsonl"
dotnet build "$ROOT/src/DataFlow.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
DF=(dotnet "${DATAFLOW_DLL:-$ROOT/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll}")
MB=$(stat -L -c %s "$INPUT" | awk '{printf "%.1f", $1 / 1e6}')
if [ "${SKIP_DATATROVE:-0}" != 1 ]; then source "$PEERS/env.sh"; fi

cpu() { awk '{printf "%.2f", $2 + $3}' "$1"; }        # user + sys from '%e %U %S %M'
rss() { awk '{printf "%.0f", $4 / 1024}' "$1"; }
timed() { local t=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >"$t.log" 2>&1 || { cat "$t.log" >&2; exit 1; }; }

echo "input: $INPUT ($MB MB), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | job | datatrove CPU s | dataflow CPU s | dataflow 1-doc CPU s | ratio | ratio net of 1-doc | dataflow MB per CPU s | peak RSS MB (dt / df) | before: CPU s, ratio |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$REPEATS"); do
  for job in quality pii; do
    w="$OUT/$r.$job"; mkdir -p "$w"
    case $job in
      quality) flags=(quality --config "$HERE/chain.yaml") ;;
      pii) flags=(pii) ;;
    esac
    if [ "${SKIP_DATATROVE:-0}" != 1 ]; then
      timed "$w/dt.time" "$DT_PY" "$PEERS/pipelines.py" "$job" "$OUT/in/corpus.jsonl" "$w/dt-out"
      dt=$(cpu "$w/dt.time"); dtrss=$(rss "$w/dt.time")
    else dt=nan; dtrss=nan; fi
    timed "$w/one.time" "${DF[@]}" "${flags[@]}" --input "$OUT/one/one.jsonl" --output "$w/one-out" --tasks 1 --workers 1
    timed "$w/df.time" "${DF[@]}" "${flags[@]}" --input "$OUT/in/corpus.jsonl" --output "$w/df-out" --tasks 1 --workers 1
    df=$(cpu "$w/df.time"); one=$(cpu "$w/one.time"); before=nan
    if [ -n "${BASE_DLL:-}" ]; then
      timed "$w/base.time" dotnet "$BASE_DLL" "${flags[@]}" --input "$OUT/in/corpus.jsonl" --output "$w/base-out" --tasks 1 --workers 1
      before=$(cpu "$w/base.time")
    fi
    awk -v r="$r" -v j="$job" -v dt="$dt" -v df="$df" -v one="$one" -v mb="$MB" -v a="$dtrss" -v b="$(rss "$w/df.time")" -v bf="$before" 'BEGIN {
      net = df - one; if (net <= 0) net = 0.01
      bcol = bf == "nan" ? "-" : sprintf("%s, %.1fx", bf, dt / bf)
      printf "| %s | %s | %s | %.2f | %.2f | %.1fx | %.1fx | %.1f | %s / %s | %s |\n", r, j, dt, df, one, dt / df, dt / net, mb / df, a, b, bcol }'
  done
done
grep -h RESULT "$OUT"/1.*/dt.time.log 2>/dev/null | cut -c1-300 || true
