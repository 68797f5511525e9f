#!/usr/bin/env bash
# Stops the single-host cluster started by slurm-up.sh: cancels jobs, then ends slurmd, slurmctld and munged by PID.
#   scripts/slurm-down.sh [--keep-munge]       Safe to run when nothing is running.
set -uo pipefail
run=/run/slurm
keep_munge=0
[ "${1:-}" == "--keep-munge" ] && keep_munge=1

stop() {
  local pidfile="$1" name="$2"
  [ -f "$pidfile" ] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then echo "slurm-down: $name ($pid) ignored TERM; killing" >&2; kill -KILL "$pid"; fi
  fi
  rm -f "$pidfile"
}

if [ -f "$run/slurmctld.pid" ] && kill -0 "$(cat "$run/slurmctld.pid")" 2>/dev/null; then
  scancel --full --signal=KILL --state=RUNNING 2>/dev/null || true
  scancel 2>/dev/null || true
  scancel --user="$(id -un)" 2>/dev/null || true
fi
stop "$run/slurmd.pid" slurmd
stop "$run/slurmctld.pid" slurmctld
if [ "$keep_munge" -eq 0 ]; then
  stop "$run/munged.pid" munged
fi
exit 0
