#!/usr/bin/env bash
# Starts a single-host Slurm cluster (munged + slurmctld + slurmd, no systemd) as root, in seconds.
# Idempotent: when the daemons already run with the same config it returns at once; a changed config restarts them.
#   scripts/slurm-up.sh            env: SLURM_MAX_ARRAY_SIZE (100), SLURM_CPUS (nproc), SLURM_PARTITION (debug)
# Stop with scripts/slurm-down.sh. State under /var/spool/slurm*, logs under /var/log/slurm, PIDs under /run/slurm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/install-cluster-deps.sh"
[ "$(id -u)" -eq 0 ] || { echo "slurm-up: run as root" >&2; exit 1; }

node="$(hostname -s)"
cpus="${SLURM_CPUS:-$(nproc)}"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
partition="${SLURM_PARTITION:-debug}"
max_array="${SLURM_MAX_ARRAY_SIZE:-100}"
conf=/etc/slurm/slurm.conf
run=/run/slurm
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm "$run" /run/munge /var/log/munge /var/lib/munge

wanted="$(cat <<CONF
# Written by scripts/slurm-up.sh: one host, root-run daemons, no accounting database.
ClusterName=dataflow
SlurmctldHost=${node}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=${run}/slurmctld.pid
SlurmdPidFile=${run}/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
# Without these, tasks start in waves every few seconds.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
# A stage whose dependency can never be met (an upstream task failed) is cancelled, not left pending.
DependencyParameters=kill_invalid_depend
MaxArraySize=${max_array}
MaxJobCount=100000
MinJobAge=600
KillWait=5
InactiveLimit=0
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=${partition} Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
)"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if alive "$run/slurmctld.pid" && alive "$run/slurmd.pid" && [ -f "$conf" ] && [ "$(cat "$conf")" == "$wanted" ] \
   && [[ "$(scontrol ping 2>/dev/null || true)" == *UP* ]]; then
  exit 0
fi
if alive "$run/slurmctld.pid" || alive "$run/slurmd.pid"; then
  echo "slurm-up: config changed or daemons unhealthy; restarting" >&2
  "$here/slurm-down.sh" --keep-munge
fi
printf '%s\n' "$wanted" > "$conf"
# proctrack/linuxproc + task/none need no cgroup.conf (22.05 has no "disabled" cgroup plugin).

# munge: runs as its own user; the key exists after the package install, create one otherwise.
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  dd if=/dev/urandom bs=1 count=128 of=/etc/munge/munge.key 2>/dev/null
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
fi
if ! alive "$run/munged.pid"; then
  runuser -u munge -- munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$run/munged.pid"
fi

slurmctld || { echo "slurm-up: slurmctld failed to start; see /var/log/slurm/slurmctld.log" >&2; exit 1; }
slurmd || { echo "slurm-up: slurmd failed to start; see /var/log/slurm/slurmd.log" >&2; exit 1; }
for _ in $(seq 1 100); do
  state="$(sinfo -h -n "$node" -o '%T' 2>/dev/null || true)"
  case "$state" in idle*|mixed*|allocated*) echo "slurm-up: node $node $state, partition $partition, MaxArraySize=$max_array" >&2; exit 0;; esac
  if [[ "$state" == down* || "$state" == drain* ]]; then scontrol update nodename="$node" state=resume 2>/dev/null || true; fi
  sleep 0.2
done
echo "slurm-up: node $node did not become idle (state '$state'); see /var/log/slurm/" >&2
exit 1
