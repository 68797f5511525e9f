#!/usr/bin/env bash
# PPO prompts apart from the SFT training set (InstructGPT keeps SFT, RM and PPO prompts separate): a fresh synthetic
# draw with another seed, minus every prompt of the held-out eval file, so PPO practises where the policy has not
# memorized the answers and the held-out score stays held out.
# Usage: scripts/make-ppo-prompts.sh HELD_OUT.jsonl OUT.jsonl [N=8000] [SEED=7]
set -euo pipefail
held=$1; out=$2; n=${3:-8000}; seed=${4:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
dotnet run --project "$here/src/DataFlow.Cli" -c Release -- sft synth --output "$tmp" --train "$n" --eval 10 --seed "$seed" --max-operand 20 >/dev/null
jq -r .prompt "$held" | sort -u > "$tmp/held.txt"
jq -c --rawfile held "$tmp/held.txt" '($held | split("\n")) as $h | select((.prompt | IN($h[])) | not)' "$tmp/sft-train.jsonl" > "$out"
echo "$(wc -l < "$out") PPO prompts in $out ($(($(wc -l < "$tmp/sft-train.jsonl") - $(wc -l < "$out"))) held-out prompts removed)"
rm -rf "$tmp"
