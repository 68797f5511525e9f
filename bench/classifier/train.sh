#!/usr/bin/env bash
# Training time of `dataflow classifier train` against Debian's `fasttext supervised`, side by side in one run: the
# same file (the man-page language labels of scripts/make-classifier-fixtures.sh, shuffled, copied REPEAT times),
# the same hyper-parameters, the same thread count. Prints wall and CPU seconds (user + system) of each process,
# the ratio ours / fastText, and P@1 of both models from `fasttext test` on the held-out pages.
# fastText's process also writes the .vec file (word vectors as text) that `supervised` always writes: part of its cost.
#   bench/classifier/train.sh [WORK_DIR] [PAGES_PER_LANGUAGE=40] [REPEAT=2] [THREADS...=1 2]
#   DATAFLOW_DLL: the dataflow.dll to time (default: the plain Release build; the ReadyToRun publish ./dataflow runs is
#     src/DataFlow.Cli/bin/Release/net10.0/linux-x64/publish/dataflow.dll).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/dataflow-bench-classifier-train}
pages=${2:-40}
repeat=${3:-2}
shift $(( $# < 3 ? $# : 3 ))
[[ $# -gt 0 ]] && threads=("$@") || threads=(1 2)
mkdir -p "$work"
[[ -s $work/lang.train ]] || "$root/scripts/make-classifier-fixtures.sh" "$work" "$pages"
/usr/bin/python3 - "$work" "$repeat" <<'PY'
import random, sys
work, repeat = sys.argv[1], int(sys.argv[2])
lines = open(f"{work}/lang.train", encoding="utf-8").readlines() * repeat
random.Random(1).shuffle(lines)
open(f"{work}/train.txt", "w", encoding="utf-8").writelines(lines)
PY
dotnet build "$root/src/DataFlow.Cli" -c Release -v q -nologo >/dev/null
dataflow=("dotnet" "${DATAFLOW_DLL:-$root/src/DataFlow.Cli/bin/Release/net10.0/dataflow.dll}")
echo "data: $(wc -l <"$work/train.txt") lines, $(awk -v b="$(stat -c %s "$work/train.txt")" 'BEGIN { printf "%.1f", b / 1e6 }') MB; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-7s %-44s %16s %16s %12s %14s\n' threads loss options "fastText wall/cpu" "ours wall/cpu" "cpu ratio" "P@1 ft/ours"
# One configuration, both trainers, one after the other: "wall cpu" of each from GNU time.
run() {
  local t=$1 loss=$2; shift 2
  local ft=("$@") ours=()
  for ((i = 0; i < ${#ft[@]}; i += 2)); do
    case ${ft[i]} in
      -wordNgrams) ours+=(--word-ngrams "${ft[i+1]}") ;;
      *) ours+=("-${ft[i]}" "${ft[i+1]}") ;;
    esac
  done
  local a b
  /usr/bin/time -o "$work/time.ft" -f '%e %U %S' fasttext supervised -input "$work/train.txt" -output "$work/ft" -thread "$t" -loss "$loss" -verbose 0 "${ft[@]}" >/dev/null
  /usr/bin/time -o "$work/time.ours" -f '%e %U %S' "${dataflow[@]}" classifier train --input "$work/train.txt" --output "$work/ours.bin" --threads "$t" --loss "$loss" "${ours[@]}" >/dev/null 2>&1
  a=$(tail -1 "$work/time.ft")
  b=$(tail -1 "$work/time.ours")
  local pf po
  pf=$(fasttext test "$work/ft.bin" "$work/lang.test" | sed -n 2p | cut -f2)
  po=$(fasttext test "$work/ours.bin" "$work/lang.test" | sed -n 2p | cut -f2)
  read -r fw fu fs <<<"$a"
  read -r ow ou os <<<"$b"
  awk -v t="$t" -v l="$loss" -v o="$*" -v fw="$fw" -v fc="$(echo "$fu + $fs" | bc)" -v ow="$ow" -v oc="$(echo "$ou + $os" | bc)" -v pf="$pf" -v po="$po" \
    'BEGIN { printf "%-8s %-7s %-44s %7.2f / %6.2f %7.2f / %6.2f %11.2fx %6s / %-6s\n", t, l, o, fw, fc, ow, oc, oc / fc, pf, po }'
}
for t in "${threads[@]}"; do
  run "$t" softmax -epoch 25 -lr 0.5 -wordNgrams 2 -bucket 200000
  run "$t" softmax -epoch 25 -lr 0.5 -dim 20 -minn 2 -maxn 4 -bucket 200000
  run "$t" ova -epoch 25 -lr 0.5 -wordNgrams 2 -bucket 200000
  run "$t" hs -epoch 25 -lr 0.5 -wordNgrams 2 -bucket 200000
  run "$t" ns -epoch 25 -lr 0.5 -wordNgrams 2 -bucket 200000
done
