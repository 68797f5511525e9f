# Sourced by the benches that run `dataflow` builds beside datatrove 0.10 (bench/minhash/run.sh, bench/ingest-peer.sh):
# reads [--repeat N] [--cli LABEL=DLL]... INPUT.jsonl WORK_DIR, checks the dlls, links the input alone in WORK/in (as
# datatrove's reader wants it) and sources the datatrove peer's env.sh.
# Before sourcing set ROOT (the repository), USAGE (the script's usage line), repeat (the default) and DEFAULT_CLI
# (LABEL=DLL, used when no --cli is given). Sets: clis, IN, WORK, INPUT, MB (MB of text), PIPES, DT_PY; defines cli().
clis=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat="$2"; shift 2 ;;
    --cli) clis+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
[[ $# -eq 2 ]] || { echo "usage: $USAGE" >&2; exit 2; }
IN=$(readlink -f "$1"); WORK=$2
[[ ${#clis[@]} -gt 0 ]] || clis=("$DEFAULT_CLI")
for c in "${clis[@]}"; do dll=${c##* }; [[ -f "${dll#*=}" ]] || { echo "no such dll: ${dll#*=} (build it first)" >&2; exit 2; }; done
# cli SPEC: the command words of a --cli value (environment settings, then dotnet DLL).
cli() { local v=${1#*=} words; read -r -a words <<< "$v"; echo env "${words[@]:0:${#words[@]}-1}" dotnet "${words[-1]}"; }
rm -rf "$WORK"; mkdir -p "$WORK/in"
ln -s "$IN" "$WORK/in/$(basename "$IN")"   # datatrove wants the file alone in its folder
INPUT="$WORK/in/$(basename "$IN")"
source "$ROOT/../shared/peers/datatrove/env.sh" 2>/dev/null || source /work/shared/peers/datatrove/env.sh
PIPES="$ROOT/../shared/peers/datatrove/pipelines.py"; [[ -f "$PIPES" ]] || PIPES=/work/shared/peers/datatrove/pipelines.py
MB=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['text'].encode()) for l in open(sys.argv[1], encoding='utf-8'))/1e6)" "$IN")
