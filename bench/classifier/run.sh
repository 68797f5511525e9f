#!/usr/bin/env bash
# Prediction speed of our fastText-format classifier against Debian's fastText CLI (bench/DataFlow.Bench.Classifier):
# builds the classifier fixtures (scripts/make-classifier-fixtures.sh), trains four models with the fastText CLI
# (softmax with word bigrams and char n-grams, the same quantized with -qnorm, hierarchical softmax at dim 50,
# one-vs-all), and runs the bench on each over the same file (the fixture text without labels, repeated to MB).
#   bench/classifier/run.sh [WORK_DIR] [MB]
#   (it runs the classifier kernel in its own bench program, no dataflow.dll: DATAFLOW_DLL is for train.sh, which times the CLI)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/dataflow-bench-classifier}
mb=${2:-20}
mkdir -p "$work"
[[ -s $work/lang.train ]] || "$root/scripts/make-classifier-fixtures.sh" "$work"
cat "$work/lang.train" "$work/lang.test" "$work/doctype.test" | cut -d' ' -f2- >"$work/input.txt"
common=(-input "$work/lang.train" -epoch 15 -lr 0.5 -thread 2 -verbose 0)
fasttext supervised "${common[@]}" -output "$work/softmax" -loss softmax -dim 16 -wordNgrams 2 -minn 2 -maxn 4 -bucket 200000
cp "$work/softmax.bin" "$work/softmax-q.bin"
fasttext quantize -input "$work/lang.train" -output "$work/softmax-q" -qnorm -verbose 0
fasttext supervised "${common[@]}" -output "$work/hs" -loss hs -dim 50 -minn 3 -maxn 5 -bucket 200000
fasttext supervised "${common[@]}" -output "$work/ova" -loss ova -dim 16 -wordNgrams 2 -bucket 200000
dotnet build "$root/bench/DataFlow.Bench.Classifier" -c Release -v q -nologo >/dev/null
for model in softmax.bin softmax-q.ftz hs.bin ova.bin; do
  dotnet "$root/bench/DataFlow.Bench.Classifier/bin/Release/net10.0/DataFlow.Bench.Classifier.dll" "$work/$model" "$work/input.txt" --mb "$mb"
  echo
done
