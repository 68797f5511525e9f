#!/usr/bin/env bash
# A second, held-out page set for bench/web: the Linux kernel's Sphinx HTML (Debian linux-doc) with each page's
# reStructuredText source, every 12th page whose source pulls in no generated text (kernel-doc::, include::, ...),
# written as a pages.tsv for bench/web/run.sh (PAGES_TSV=... bench/web/run.sh).
#   bench/web/linux-doc-pages.sh OUT.tsv
set -euo pipefail
out=${1:?usage: linux-doc-pages.sh OUT.tsv}
doc=$(ls -d /usr/share/doc/linux-doc-*/html 2>/dev/null | head -1)
if [[ -z $doc ]]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-doc >/dev/null; doc=$(ls -d /usr/share/doc/linux-doc-*/html | head -1); fi
(cd "$doc" && find . -name '*.html' | sed 's#^\./##' | LC_ALL=C sort) | while read -r page; do
  src="$doc/_sources/${page%.html}.rst.txt"
  [[ -f $src ]] && printf 'http://127.0.0.1/%s\t%s\t%s\n' "$page" "$doc/$page" "$src"
done | awk 'NR % 12 == 1' | while IFS=$'\t' read -r url html src; do
  grep -q 'kernel-doc::\|kernel-abi::\|kernel-feat::\|include::' "$src" || printf '%s\t%s\t%s\n' "$url" "$html" "$src"
done > "$out"
echo "$(wc -l < "$out") pages in $out"
