#!/usr/bin/env bash
# The Shakespeare-char anchor: 200 steps of the recipe in conf/train/shakespeare-char.yaml at its seed (see
# shakespeare-anchor.yaml), then every per-step train loss and every val loss compared with the curve recorded at
# commit 7aa3b3f (shakespeare-anchor.curve.tsv). Prints the max abs difference; exits 1 above the tolerance.
# Usage: bench/anchor/shakespeare-anchor.sh [--record] [TOLERANCE]   (--record rewrites the recorded curve)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
here="$root/bench/anchor"
record=0; if [[ "${1:-}" == "--record" ]]; then record=1; shift; fi
tolerance="${1:-1e-4}"
cd "$root"
data="runs/shakespeare-char/tokens"
if [[ ! -f "$data/manifest.json" ]]; then
  corpus="${SHAKESPEARE:-$root/../shared/data/corpus/tinyshakespeare.txt}"
  [[ -f "$corpus" ]] || corpus=/work/shared/data/corpus/tinyshakespeare.txt
  dotnet run --project bench/DataFlow.Bench.Training -c Release -- shakespeare-data "$corpus" "$data" 64
fi
out="runs/shakespeare-anchor/pretrain"
rm -rf "$out"
OMP_WAIT_POLICY=PASSIVE ./dataflow train pretrain --config "$here/shakespeare-anchor.yaml"
curve="$(mktemp)"
# step, kind (loss / val_loss), value: one line per metric, in file order
python3 - "$out/metrics.jsonl" > "$curve" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    for key in ("loss", "val_loss"):
        if key in r: print(f"{r['step']}\t{key}\t{r[key]!r}")
PY
if [[ $record == 1 ]]; then cp "$curve" "$here/shakespeare-anchor.curve.tsv"; echo "recorded $(wc -l < "$curve") values"; exit 0; fi
python3 - "$here/shakespeare-anchor.curve.tsv" "$curve" "$tolerance" <<'PY'
import sys
def read(p): return {(s, k): float(v) for s, k, v in (l.split("\t") for l in open(p) if l.strip())}
ref, new, tol = read(sys.argv[1]), read(sys.argv[2]), float(sys.argv[3])
if ref.keys() != new.keys(): sys.exit(f"the run logged {len(new)} values, the recorded curve has {len(ref)}")
diffs = {k: abs(ref[k] - new[k]) for k in ref}
worst = max(diffs, key=diffs.get)
print(f"{len(ref)} values; max abs difference {diffs[worst]:.3g} at step {worst[0]} {worst[1]} (tolerance {tol:g})")
sys.exit(0 if diffs[worst] <= tol else 1)
PY
