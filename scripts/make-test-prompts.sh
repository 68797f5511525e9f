#!/usr/bin/env bash
# A held-out test set for the final PPO-vs-SFT comparison, apart from every prompt that trained or chose anything:
# a fresh synthetic draw with its own seed, deduplicated, minus every prompt of the EXCLUDE files (SFT train, PPO
# prompts, the eval prompts PPO settings are chosen on). Nearly every arithmetic prompt (882 distinct) occurs in SFT
# training, so the test set is mostly word tasks; the family counts are printed.
# Usage: scripts/make-test-prompts.sh OUT.jsonl N SEED EXCLUDE.jsonl...
set -euo pipefail
out=$1; n=$2; seed=$3; shift 3
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
"$here/dataflow" sft synth --output "$tmp" --train "$n" --eval 10 --seed "$seed" --max-operand 20 >/dev/null
cat "$@" | jq -r .prompt | sort -u > "$tmp/exclude.txt"
jq -c --rawfile ex "$tmp/exclude.txt" '($ex | split("\n") | map({(.): true}) | add) as $h | select($h[.prompt] | not)' "$tmp/sft-train.jsonl" \
  | jq -s -c 'unique_by(.prompt) | .[]' > "$out"
echo "$(wc -l < "$out") test prompts in $out"; jq -r .task "$out" | sort | uniq -c
rm -rf "$tmp"
