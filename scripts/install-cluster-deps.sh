#!/usr/bin/env bash
# Installs what the single-host Slurm cluster and the MPI tests need (Debian packages), only when missing.
# Safe to run twice: when dpkg lists all four packages it returns at once.
set -euo pipefail
need=()
# dpkg's own record, not a pipe into grep -q (with pipefail, an early-closing grep fails the pipe).
for pkg in slurm-wlm munge openmpi-bin libopenmpi-dev; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [ "$status" == "install ok installed" ] || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "install-cluster-deps: need root to install ${need[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
echo "install-cluster-deps: installing ${need[*]}" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
