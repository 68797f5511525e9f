#!/usr/bin/env bash
# Agreement of `dataflow quality` with datatrove 0.10's decisions on held-out English text, per preset and kind of
# text, in both compatibility modes; plus datatrove's and DataFlow's CPU time on the same input. Never in CI.
# usage: bench/quality-agreement/run.sh DATATROVE_GIT_DIR [OUT_DIR=/tmp/quality-agreement] [DOCS_MB=40] [PER_KIND=400]
#   DATATROVE_GIT_DIR: what the fetch tool returns for github:huggingface/datatrove (a649de7 = v0.10.0)
# Inputs (built here, from package text): docs = /work/shared/scripts/make-bench-corpus.sh (Debian documentation),
# mail / fortunes / man = make-inputs.py. Rows: gopher preset = GopherRepetitionFilter -> GopherQualityFilter;
# c4 preset = C4QualityFilter; fineweb = FineWebQualityFilter alone (the fineweb preset's own rule; the preset adds
# language ID and the other rules); english preset = chain.py (the FineWeb chain without language ID).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
GIT_DIR=${1:?usage: run.sh DATATROVE_GIT_DIR [OUT_DIR] [DOCS_MB] [PER_KIND]}
OUT=${2:-/tmp/quality-agreement}; DOCS_MB=${3:-40}; PER_KIND=${4:-400}
PEERS=${PEERS:-/work/shared/peers/datatrove}
mkdir -p "$OUT/in"

[ -f "$OUT/docs/corpus.jsonl" ] || bash /work/shared/scripts/make-bench-corpus.sh "$OUT/docs" "$DOCS_MB" >&2
ln -sf "$OUT/docs/corpus.jsonl" "$OUT/in/docs.jsonl"
[ -f "$OUT/in/man.jsonl" ] || /usr/bin/python3 "$HERE/make-inputs.py" "$OUT/in" "$PER_KIND" >&2
bash "$PEERS/setup.sh" "$GIT_DIR" >&2
source "$PEERS/env.sh"
dotnet build "$ROOT/src/DataFlow.Cli" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
dotnet build "$ROOT/bench/DataFlow.Bench.Quality" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
BENCH="dotnet $ROOT/bench/DataFlow.Bench.Quality/bin/Release/net10.0/DataFlow.Bench.Quality.dll"
printf 'rules:\n  - type: fineweb\n' >"$OUT/fineweb-rule.yaml"

cpu() { awk '{printf "%.1f", $2 + $3}' "$1"; }   # user + system seconds from /usr/bin/time -f '%e %U %S %M'
echo "| input | preset | docs | datatrove keeps | agree, compat: datatrove | reasons agree | agree, compat: dataflow (default) | datatrove CPU s | dataflow CPU s (compat datatrove / dataflow) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for kind in docs mail fortunes man; do
  in="$OUT/in/$kind.jsonl"
  for preset in gopher c4 fineweb english; do
    w="$OUT/work/$kind.$preset"; rm -rf "$w"; mkdir -p "$w"
    case $preset in
      fineweb) flags=(--config "$OUT/fineweb-rule.yaml"); ref=("$PEERS/decisions.py" fineweb) ;;
      english) flags=(--preset english); ref=("$HERE/chain.py") ;;
      *) flags=(--preset "$preset"); ref=("$PEERS/decisions.py" "$preset") ;;
    esac
    /usr/bin/time -f '%e %U %S %M' -o "$w/dt.time" "$DT_PY" "${ref[@]}" "$in" >"$w/ref.jsonl"
    for mode in datatrove dataflow; do
      /usr/bin/time -f '%e %U %S %M' -o "$w/$mode.time" "$ROOT/dataflow" quality -i "$in" -o "$w/out.$mode" "${flags[@]}" \
        --compat "$mode" --keep-removed --workers 1 >"$w/$mode.log" 2>&1
      $BENCH decisions "$w/out.$mode" >"$w/$mode.jsonl"
      /usr/bin/python3 "$HERE/compare.py" "$w/ref.jsonl" "$w/$mode.jsonl" --diffs 20 >"$w/$mode.compare"
    done
    /usr/bin/python3 - "$w" "$kind" "$preset" "$(cpu "$w/dt.time")" "$(cpu "$w/datatrove.time")" "$(cpu "$w/dataflow.time")" <<'PY'
import json, sys
w, kind, preset, dt, ours_dt, ours_df = sys.argv[1:]
c = {m: json.loads(open(f"{w}/{m}.compare").readline()) for m in ("datatrove", "dataflow")}
d = c["datatrove"]
print(f"| {kind} | {preset} | {d['docs']} | {d['kept_datatrove']} | {d['agree_pct']:.2f} % | {d['reason_agree_pct']} % | "
      f"{c['dataflow']['agree_pct']:.2f} % | {dt} | {ours_dt} / {ours_df} |")
PY
  done
done
echo
echo "disagreements: $OUT/work/KIND.PRESET/{datatrove,dataflow}.compare"
