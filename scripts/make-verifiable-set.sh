#!/usr/bin/env bash
# Builds the synthetic verifiable instruction set (small-number arithmetic, copy / reverse / capitalize / bracket a
# made-up word): SFT train + held-out eval, and preference pairs (correct vs plausible wrong answer).
# Usage: scripts/make-verifiable-set.sh [OUT=data/verifiable] [TRAIN=20000] [EVAL=500] [SEED=1]
set -euo pipefail
out=${1:-data/verifiable}; train=${2:-20000}; eval=${3:-500}; seed=${4:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
dotnet run --project "$here/src/DataFlow.Cli" -c Release -- sft synth --output "$out" --train "$train" --eval "$eval" --seed "$seed" --max-operand 20
wc -l "$out"/*.jsonl
