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
# prompt<TAB>record per line; drop excluded prompts (hash set in awk), keep the first record of each prompt in prompt order.
paste -d '\t' <(jq -r .prompt "$tmp/sft-train.jsonl") "$tmp/sft-train.jsonl" \
  | awk -F'\t' 'NR == FNR { ex[$0]; next } !($1 in ex)' "$tmp/exclude.txt" - \
  | LC_ALL=C sort -s -t$'\t' -k1,1 | awk -F'\t' '!seen[$1]++' | cut -f2- > "$out"
echo "$(wc -l < "$out") test prompts in $out"; jq -r .task "$out" | sort | uniq -c
rm -rf "$tmp"
