#!/usr/bin/env bash
# Installs the JavaScript Hugging Face tokenizers (pinned exact versions) into .tools/hf-js (git-ignored), the peer the
# interop tests compare our tokenizer.json and chat_template against. Idempotent: a complete install is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.tools/hf-js
tokenizers=0.2.0
jinja=0.5.13
if [[ -f $dir/node_modules/@huggingface/tokenizers/package.json && -f $dir/node_modules/@huggingface/jinja/package.json ]] \
   && grep -q "\"version\": \"$tokenizers\"" $dir/node_modules/@huggingface/tokenizers/package.json \
   && grep -q "\"version\": \"$jinja\"" $dir/node_modules/@huggingface/jinja/package.json; then
  exit 0
fi
command -v node >/dev/null || { echo "install-hf-js: node is not installed" >&2; exit 1; }
mkdir -p $dir
[[ -f $dir/package.json ]] || echo '{"name": "dataflow-hf-js", "private": true}' > $dir/package.json
npm install --prefix $dir --save-exact --no-audit --no-fund --loglevel=error "@huggingface/tokenizers@$tokenizers" "@huggingface/jinja@$jinja"
