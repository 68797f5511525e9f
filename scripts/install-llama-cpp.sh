#!/usr/bin/env bash
# Installs llama.cpp as node-llama-cpp (prebuilt linux-x64 binaries, nothing downloaded at run time) into .tools/llama-cpp,
# the independent client that the GGUF export tests run against. Idempotent: a complete install is left as it is.
# Pinned exactly: newer releases fail to install here, and the agreement figures in docs/interop.md were measured with it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.21.1
dir=.tools/llama-cpp
marker="$dir/.installed-$version"
if [[ -f "$marker" ]]; then echo "node-llama-cpp $version already in $dir"; exit 0; fi
command -v npm >/dev/null 2>&1 || { echo "install-llama-cpp: npm is not installed" >&2; exit 1; }
mkdir -p "$dir"
# A package.json of our own, so npm installs here and not into a parent folder's project.
[[ -f "$dir/package.json" ]] || echo '{ "name": "dataflow-llama-cpp", "private": true, "type": "module" }' > "$dir/package.json"
# --omit=optional keeps npm from fetching the other platforms' binaries (CUDA, Vulkan, arm) that node-llama-cpp lists.
(cd "$dir" && npm i -E --no-audit --no-fund --omit=optional "node-llama-cpp@$version" "@node-llama-cpp/linux-x64@$version")
touch "$marker"
echo "node-llama-cpp $version installed in $dir"
