#!/usr/bin/env bash
# Splits the HH harmless-base pairs available here (only Anthropic's *test* file is in ../shared) into a training part
# and a held-out part: every 5th pair (lines 5, 10, ...) is held out, the rest train. The held-out part is never used
# to choose settings; the reward model reports accuracy on it next to the length baselines on the same pairs.
# Usage: scripts/split-hh-pairs.sh [OUT=runs/hh] [SRC=$DATAFLOW_SHARED/data/preference/hh-rlhf-harmless-base-test.jsonl.gz]
set -euo pipefail
out=${1:-runs/hh}
src=${2:-${DATAFLOW_SHARED:-/work/shared}/data/preference/hh-rlhf-harmless-base-test.jsonl.gz}
mkdir -p "$out"
zcat "$src" | awk -v train="$out/train.jsonl" -v held="$out/heldout.jsonl" 'NR % 5 == 0 { print > held; next } { print > train }'
wc -l "$out/train.jsonl" "$out/heldout.jsonl"
