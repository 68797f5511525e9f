#!/usr/bin/env bash
# WARC read speed: `dataflow ingest` over a web archive (gzip per record, as crawlers write it) against `gzip -dc`
# (the decompression alone, a lower bound for any reader) on the same file, in one run; CPU-seconds and peak RSS.
#   bench/web/warc-read.sh [PAGES] [COPIES]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pages=${1:-300}
copies=${2:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/scripts/make-web-fixtures.sh" "$work/fx" "$pages" >/dev/null
mkdir -p "$work/in"
for i in $(seq "$copies"); do cat "$work/fx/python-docs.warc.gz"; done > "$work/in/crawl.warc.gz"
raw=$(gzip -dc "$work/in/crawl.warc.gz" | wc -c)
echo "input: $(stat -c %s "$work/in/crawl.warc.gz") bytes gzip, $raw bytes of WARC ($copies copies of $pages pages + 4 other records each)"
"$root/dataflow" --help >/dev/null 2>&1
t() { /usr/bin/time -f "%e %U %S %M" "$@" 2>&1 >/dev/null | tail -1; }
read -r e u s m < <(t gzip -dc "$work/in/crawl.warc.gz")
awk -v e="$e" -v u="$u" -v s="$s" -v m="$m" -v raw="$raw" 'BEGIN{printf "gzip -dc:        %.2f s wall, %.2f CPU-s, %.0f MB/CPU-s, peak RSS %d MB\n", e, u+s, raw/1e6/(u+s), m/1024}'
read -r e u s m < <(t "$root/dataflow" ingest --input "$work/in/crawl.warc.gz" --output "$work/out" --workers 1)
awk -v e="$e" -v u="$u" -v s="$s" -v m="$m" -v raw="$raw" 'BEGIN{printf "dataflow ingest: %.2f s wall, %.2f CPU-s, %.0f MB/CPU-s, peak RSS %d MB (whole process: start-up, HTTP parse, charset, Parquet zstd write)\n", e, u+s, raw/1e6/(u+s), m/1024}'
