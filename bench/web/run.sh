#!/usr/bin/env bash
# HTML -> main text, side by side in one run: DataFlow's extractor, SmartReader (NuGet, a Readability port) and
# readability-lxml (Debian python3-readability), on python3-doc pages crawled into a WARC by scripts/make-web-fixtures.sh.
# Prints word-level precision / recall / F1 against each page's reStructuredText source, and MB of HTML per CPU-second.
#   bench/web/run.sh [PAGES] [REPEAT]        (PAGES_TSV=FILE: that page set instead of the crawl)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
pages=${1:-120}
repeat=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg -s python3-readability >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-readability >/dev/null
if [[ -n ${PAGES_TSV:-} ]]; then mkdir -p "$work/fx" && cp "$PAGES_TSV" "$work/fx/pages.tsv"   # another page set (bench/web/linux-doc-pages.sh)
else "$root/scripts/make-web-fixtures.sh" "$work/fx" "$pages" >/dev/null; fi
dotnet build "$root/bench/DataFlow.Bench.Web" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
echo "== speed (one thread; $repeat passes after a first pass that writes the texts)"
dotnet "$root/bench/DataFlow.Bench.Web/bin/Release/net10.0/DataFlow.Bench.Web.dll" "$work/fx/pages.tsv" "$work/out" "$repeat"
/usr/bin/python3 "$root/bench/web/readability_peer.py" "$work/fx/pages.tsv" "$work/out" "$repeat"
echo "== quality against _sources/*.rst.txt"
/usr/bin/python3 "$root/bench/web/score.py" "$work/fx/pages.tsv" "$work/out" dataflow smartreader readability
